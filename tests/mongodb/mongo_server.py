#!/usr/bin/python3
"""A MongoDB wire-protocol server for tests, backed by mongomock.

mockupdb parses requests (OP_MSG and legacy OP_QUERY commands) and frames
replies; mongomock stores the data and evaluates queries and updates. The
server answers enough commands for libmongoc 1.23 (pooled clients, the
mongoc_collection_* API) to drive a datastore backend.

Usage: mongo_server.py [--port N] [--port-file PATH] [--verbose]
                       [--replset NAME] [--transaction-lock-ms N]
                       [--transaction-lifetime-limit-seconds N]

Once listening it prints mongodb://127.0.0.1:PORT on stdout (with
--replset too: add ?replicaSet=NAME to see it as a replica set, or connect
directly). SIGTERM and SIGINT stop it with exit status 0.

Without --replset it is a standalone: sessions (lsid) are accepted, but any
txnNumber is refused with 20 IllegalOperation, as mongod does, so drivers
send no retryable writes and start no transactions. With --replset NAME,
hello describes the primary of a one-member replica set NAME; retryable
writes and transactions are emulated as transactions.py says. There,
{replSetStepDown: N} on admin makes it a secondary for N seconds (no
primary: writes answer 10107 NotWritablePrimary, reads 13435 unless their
$readPreference allows a secondary; a transaction in progress is aborted),
then primary again with a greater electionId. Unlike mongod it needs no
force: true, and the secondary is never behind: it is the same data.

Fault injection: mongod's failCommand fail point, sent to admin as
{configureFailPoint: "failCommand", mode: "alwaysOn" | "off" | {times: N} |
{skip: N}, data: {failCommands: [...], errorCode, closeConnection,
writeConcernError, errorLabels, blockConnection, blockTimeMS, appName}}, as
on mongod with enableTestCommands=1; and three extensions real servers lack:
mode {skip: N, times: M}, data.closeConnectionAfterApply (apply, then close
unanswered: a lost reply) and data.trickleReplyMS (the reply one byte per N
ms). Details and differences from mongod: failpoint.py.

Run it with Debian's /usr/bin/python3: mongomock, mockupdb and bson come
from python3-mongomock, python3-mockupdb and python3-pymongo.
"""

import os

# Taken before the slow imports below: if the parent dies meanwhile, the
# watcher still sees it gone.
PARENT_PID = os.getppid()

import argparse
import datetime
import itertools
import signal
import socket
import sys
import threading
import time
import traceback
from collections import OrderedDict

import bson
import bson.errors
import bson.json_util
import bson.objectid
import bson.timestamp
import mockupdb
import mongomock
import mongomock.collection
import mongomock.filtering
import mongomock.helpers
from bson.int64 import Int64

import failpoint
import transactions

# Advertise MongoDB 5.0: new enough that libmongoc uses OP_MSG for
# everything after the handshake.
MAX_WIRE_VERSION = 13
SERVER_VERSION = [5, 0, 0, 0]

MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
MAX_MESSAGE_SIZE = 48000000
MAX_WRITE_BATCH_SIZE = 100000

# A cursor batch stays below the BSON limit, with room for the envelope.
MAX_BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024
DEFAULT_FIRST_BATCH = 101
# Real servers reap idle cursors after 10 minutes; do the same.
CURSOR_TIMEOUT = 600.0

# Outside a primary, these commands answer NotWritablePrimary, and these
# NotPrimaryNoSecondaryOk unless the read preference allows a secondary.
PRIMARY_ONLY = frozenset((
    'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'create',
    'createIndexes', 'drop', 'dropDatabase', 'dropIndexes',
    'renameCollection', 'collMod', 'commitTransaction', 'abortTransaction'))
SECONDARY_READS = frozenset((
    'find', 'getMore', 'count', 'distinct', 'aggregate', 'listIndexes',
    'listCollections', 'listDatabases'))

MORE_TO_COME = mockupdb.OP_MSG_FLAGS['moreToCome']

CODE_NAMES = {
    1: 'InternalError',
    2: 'BadValue',
    6: 'HostUnreachable',
    7: 'HostNotFound',
    9: 'FailedToParse',
    13: 'Unauthorized',
    14: 'TypeMismatch',
    20: 'IllegalOperation',
    24: 'LockTimeout',
    26: 'NamespaceNotFound',
    27: 'IndexNotFound',
    43: 'CursorNotFound',
    48: 'NamespaceExists',
    50: 'MaxTimeMSExpired',
    59: 'CommandNotFound',
    64: 'WriteConcernFailed',
    66: 'ImmutableField',
    72: 'InvalidOptions',
    73: 'InvalidNamespace',
    79: 'UnknownReplWriteConcern',
    85: 'IndexOptionsConflict',
    86: 'IndexKeySpecsConflict',
    89: 'NetworkTimeout',
    91: 'ShutdownInProgress',
    100: 'UnsatisfiableWriteConcern',
    112: 'WriteConflict',
    115: 'CommandNotSupported',
    117: 'ConflictingOperationInProgress',
    134: 'ReadConcernMajorityNotAvailableYet',
    189: 'PrimarySteppedDown',
    225: 'TransactionTooOld',
    251: 'NoSuchTransaction',
    256: 'TransactionCommitted',
    262: 'ExceededTimeLimit',
    263: 'OperationNotSupportedInTransaction',
    9001: 'SocketException',
    10107: 'NotWritablePrimary',
    11000: 'DuplicateKey',
    11600: 'InterruptedAtShutdown',
    11602: 'InterruptedDueToReplStateChange',
    13435: 'NotPrimaryNoSecondaryOk',
    13436: 'NotPrimaryOrSecondary',
}

# The codes mongod counts as retryable (ErrorCategory RetriableError and
# the shutdown errors): a retryable write failing with one, or with a
# writeConcernError with one, carries the RetryableWriteError label.
RETRYABLE_CODES = frozenset((6, 7, 89, 91, 134, 189, 262, 9001, 10107,
                             11600, 11602, 13435, 13436))
WRITE_CONFLICT = 112
LOCK_TIMEOUT = 24
NO_SUCH_TRANSACTION = 251

# Index options we pass through to mongomock; the rest (background, v,
# ns...) do not change behaviour.
INDEX_OPTIONS = ('unique', 'sparse', 'expireAfterSeconds',
                 'partialFilterExpression')


_mongomock_inc = mongomock.collection._updaters['$inc']


def _inc_keeping_int64(doc, field, value):
    """$inc on an int64 yields an int64 on a real server. mongomock's
    arithmetic decays Int64 to int, which bson then sends as int32."""
    if not isinstance(doc, (dict, list)):
        return _mongomock_inc(doc, field, value)
    key = field if isinstance(doc, dict) else int(field)
    try:
        old = doc[key]
    except (KeyError, IndexError):
        old = None
    _mongomock_inc(doc, field, value)
    if isinstance(old, Int64) or isinstance(value, Int64):
        new = doc[key]
        if type(new) is int:
            doc[key] = Int64(new)


# mongomock looks its update operators up in this table on every update.
mongomock.collection._updaters['$inc'] = _inc_keeping_int64


def dup_key_message(full_name, index_name, key_value):
    """mongod's text for error 11000."""
    return 'E11000 duplicate key error collection: %s index: %s dup key: ' \
        '{ %s }' % (full_name, index_name, ', '.join(
            '%s: %s' % (k, bson.json_util.dumps(v))
            for k, v in key_value.items()))


def _ensure_uniques_naming_index(self, new_data):
    """mongomock's check of the unique indexes after a write, whose error
    says which index and key collided, as mongod 4.4+ says it (errmsg,
    keyPattern, keyValue), for an update as for an insert."""
    for name, index in self._store.indexes.items():
        if not index.get('unique'):
            continue
        key_value = OrderedDict()
        for key, _ in index.get('key'):
            try:
                key_value[key] = mongomock.helpers.get_value_by_dot(
                    new_data, key)
            except KeyError:
                key_value[key] = None
        if index.get('sparse') and set(key_value.values()) == {None}:
            continue
        spec = dict(key_value)
        if index.get('partialFilterExpression') is not None:
            spec = {'$and': [index['partialFilterExpression'], spec]}
        if len(list(self._iter_documents(spec))) > 1:
            message = dup_key_message(self.full_name, name, key_value)
            raise mongomock.DuplicateKeyError(
                message, 11000, {'errmsg': message,
                                 'keyPattern': OrderedDict(index['key']),
                                 'keyValue': key_value})


mongomock.collection.Collection._ensure_uniques = _ensure_uniques_naming_index


def log(msg):
    print('mongo_server: %s' % msg, file=sys.stderr, flush=True)


class CommandError(Exception):
    """A failure reported to the client as {ok: 0, code, errmsg}."""

    def __init__(self, code, errmsg, **extra):
        super().__init__(errmsg)
        self.code = code
        self.errmsg = errmsg
        self.extra = extra

    def reply(self):
        doc = {'ok': 0.0, 'errmsg': self.errmsg, 'code': self.code,
               'codeName': CODE_NAMES.get(self.code, 'UnknownError')}
        doc.update(self.extra)
        return doc


def add_error_labels(name, cmd, reply, fired):
    """The errorLabels mongod 4.4+ adds to a reply: RetryableWriteError on
    a retryable error of a retryable write, commitTransaction or
    abortTransaction; TransientTransactionError on an error that leaves a
    transaction without side effects. A fail point's errorLabels replace
    them."""
    code = reply.get('code') if not reply.get('ok') else None
    wce = reply.get('writeConcernError')
    wce_code = wce.get('code') if isinstance(wce, dict) else None
    if code is None and wce_code is None:
        return
    if 'errorLabels' in fired:
        labels = list(fired['errorLabels'])
    else:
        labels = []
        txn = 'txnNumber' in cmd
        in_txn = txn and 'autocommit' in cmd
        ends_txn = name in ('commitTransaction', 'abortTransaction')
        if txn and (not in_txn or ends_txn) and \
                (code in RETRYABLE_CODES or wce_code in RETRYABLE_CODES):
            labels.append('RetryableWriteError')
        if in_txn and code is not None:
            transient = code in (WRITE_CONFLICT, LOCK_TIMEOUT)
            if ends_txn:
                transient |= code == NO_SUCH_TRANSACTION and wce is None
            else:
                transient |= code in RETRYABLE_CODES or \
                    code == NO_SUCH_TRANSACTION
            if transient:
                labels.append('TransientTransactionError')
    if labels:
        reply['errorLabels'] = labels


def error_from_exception(exc):
    """Map an exception raised while running a command to a CommandError."""
    if isinstance(exc, CommandError):
        return exc
    if isinstance(exc, transactions.TransactionError):
        return CommandError(exc.code, exc.errmsg)
    if isinstance(exc, mongomock.DuplicateKeyError):
        details = exc.details or {}
        if 'keyPattern' in details:
            return CommandError(11000, details['errmsg'],
                                keyPattern=details['keyPattern'],
                                keyValue=details['keyValue'])
        return CommandError(11000, str(exc))
    if isinstance(exc, mongomock.OperationFailure):
        if exc.code is None and "(immutable) field '_id'" in str(exc):
            return CommandError(66, str(exc))
        return CommandError(exc.code or 2, str(exc))
    if isinstance(exc, NotImplementedError):
        # Loud on purpose: the test needs something mongomock lacks.
        log('not supported by mongomock: %s' % exc)
        return CommandError(115, 'not supported by mongomock: %s' % exc)
    if isinstance(exc, (ValueError, TypeError, bson.errors.InvalidDocument,
                        mongomock.InvalidOperation)):
        return CommandError(2, str(exc))
    # Anything else is a bug here or in mongomock; keep the trace.
    log('internal error:\n' + ''.join(traceback.format_exception(exc)))
    return CommandError(1, '%s: %s' % (type(exc).__name__, exc))


def id_first(doc):
    """Stored documents come back _id first on a real server; mongomock
    appends _id to upserted documents."""
    if isinstance(doc, dict) and '_id' in doc and next(iter(doc)) != '_id':
        out = OrderedDict(_id=doc['_id'])
        out.update((k, v) for k, v in doc.items() if k != '_id')
        return out
    return doc


def is_replacement(update):
    return not any(key.startswith('$') for key in update)


def pin_to_id(query, _id):
    """Narrow query to one document while keeping its other clauses, which
    mongomock needs to resolve positional ($) updates."""
    spec = dict(query)
    clauses = [{'_id': _id}]
    if '_id' in spec:
        clauses.insert(0, {'_id': spec.pop('_id')})
    spec['$and'] = list(spec.get('$and', [])) + clauses
    return spec


class CloseConnection(Exception):
    """Raised while handling a request to close its connection unanswered."""


class TrickleSocket(object):
    """Stands for a socket in a mockupdb request: sends one byte at a
    time, with a pause before each."""

    def __init__(self, sock, interval_ms):
        self.sock = sock
        self.interval = max(0, interval_ms) / 1000.0

    def sendall(self, data):
        for i in range(len(data)):
            time.sleep(self.interval)
            self.sock.sendall(data[i:i + 1])


class Cursor(object):
    """Results of a find or aggregate that did not fit in the first batch."""

    def __init__(self, ns, docs):
        self.ns = ns
        self.docs = docs
        self.touched = time.monotonic()


class Server(object):
    def __init__(self, verbose=False, replset=None, lock_timeout=2.0,
                 lifetime=60.0):
        self.verbose = verbose
        self.replset = replset  # the set's name, or None: a standalone
        self.host = None  # 127.0.0.1:PORT, once listening
        self.term = 1  # counts elections
        self.stepped_down_until = 0.0  # time.monotonic(), or 0: primary
        # One store for every database, like one mongod.
        self.client = mongomock.MongoClient()
        # Every command runs under this lock, so each one is atomic
        # (findAndModify, delete with a count, unique checks...).
        self.lock = threading.Condition(threading.Lock())
        self.txns = transactions.Transactions(
            self.lock, replset is not None, lock_timeout, lifetime, log)
        self.cursors = {}
        self.cursor_ids = itertools.count(1)
        self.connection_ids = itertools.count(1)
        self.connections = set()
        self.connections_lock = threading.Lock()
        self.app_names = {}  # connection id: appName of its handshake
        self.fail_point = failpoint.FailPoint()
        self.commands = {
            'hello': self.cmd_hello,
            'isMaster': self.cmd_hello,
            'ismaster': self.cmd_hello,
            'ping': self.cmd_ok,
            'configureFailPoint': self.cmd_configure_fail_point,
            'replSetStepDown': self.cmd_repl_set_step_down,
            'endSessions': self.cmd_end_sessions,
            'commitTransaction': self.cmd_ok,  # run by self.txns
            'abortTransaction': self.cmd_ok,
            'buildInfo': self.cmd_build_info,
            'buildinfo': self.cmd_build_info,
            'getLastError': self.cmd_get_last_error,
            'getlasterror': self.cmd_get_last_error,
            'listDatabases': self.cmd_list_databases,
            'listCollections': self.cmd_list_collections,
            'listIndexes': self.cmd_list_indexes,
            'create': self.cmd_create,
            'drop': self.cmd_drop,
            'dropDatabase': self.cmd_drop_database,
            'renameCollection': self.cmd_rename_collection,
            'createIndexes': self.cmd_create_indexes,
            'dropIndexes': self.cmd_drop_indexes,
            'collMod': self.cmd_coll_mod,
            'insert': self.cmd_insert,
            'update': self.cmd_update,
            'delete': self.cmd_delete,
            'find': self.cmd_find,
            'getMore': self.cmd_get_more,
            'killCursors': self.cmd_kill_cursors,
            'findAndModify': self.cmd_find_and_modify,
            'findandmodify': self.cmd_find_and_modify,
            'count': self.cmd_count,
            'distinct': self.cmd_distinct,
            'aggregate': self.cmd_aggregate,
        }

    # -- network ---------------------------------------------------------

    def listen(self, port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A fault test restarts us on the same port while old connections
        # sit in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('127.0.0.1', port))
        sock.listen(128)
        return sock

    def serve(self, listener):
        """Accept connections until a signal interrupts accept()."""
        while True:
            conn, _ = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.connections_lock:
                self.connections.add(conn)
            threading.Thread(target=self.connection_loop,
                             args=(conn, next(self.connection_ids)),
                             daemon=True).start()

    def close_connections(self):
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def connection_loop(self, conn, conn_id):
        # MockupDB's own loop binds "localhost", lets a handler exception
        # kill the connection silently and joins threads slowly on stop(),
        # so we drive its request parser and reply framing ourselves.
        try:
            while True:
                try:
                    request = mockupdb.mock_server_receive_request(conn, None)
                except OSError:
                    return  # client hung up, or we are stopping
                except Exception as exc:
                    # The whole message was read, but we cannot answer it.
                    log('dropping connection %d: unparseable message: %r'
                        % (conn_id, exc))
                    return
                self.handle(request, conn_id)
        except (OSError, CloseConnection):
            pass
        finally:
            with self.connections_lock:
                self.connections.discard(conn)
                self.app_names.pop(conn_id, None)
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def handle(self, request, conn_id):
        if isinstance(request, (mockupdb.OpMsg, mockupdb.Command)):
            cmd = request.doc
            if isinstance(request, mockupdb.Command) and '$query' in cmd:
                # Legacy OP_QUERY commands may wrap the command for mongos.
                cmd = cmd['$query']
            db_name = cmd.get('$db') or request.namespace
            fired = self.fire_fail_point(db_name, cmd, conn_id)
            if fired.get('closeConnection'):  # first, as on mongod
                raise CloseConnection()
            if fired.get('blockConnection'):
                time.sleep(max(0, fired.get('blockTimeMS', 0)) / 1000.0)
            reply = self.run_command(db_name, cmd, conn_id, fired)
            if fired.get('closeConnectionAfterApply'):
                raise CloseConnection()
            if isinstance(request, mockupdb.OpMsg) and \
                    request.flags & MORE_TO_COME:
                return  # unacknowledged write (w:0): no reply allowed
            if fired.get('trickleReplyMS'):
                request._client = TrickleSocket(request._client,
                                                fired['trickleReplyMS'])
            try:
                request.replies(reply)
            except OSError:
                raise
            except Exception as exc:
                # e.g. a value bson cannot encode: still answer the client
                request.replies(error_from_exception(exc).reply())
        elif isinstance(request, mockupdb.OpQuery):
            request.fail('legacy OP_QUERY find is not supported; '
                         'use the find command')
        elif isinstance(request, mockupdb.OpGetMore):
            request.replies(flags=mockupdb.REPLY_FLAGS['CursorNotFound'])
        else:
            # Legacy writes and OP_KILL_CURSORS expect no reply.
            log('ignoring legacy %s' % type(request).__name__)

    def fire_fail_point(self, db_name, cmd, conn_id):
        """The failCommand data if it fires for cmd, else {}."""
        if not cmd:
            return {}
        name = next(iter(cmd))
        target = cmd[name]
        namespace = '%s.%s' % (db_name, target) \
            if isinstance(target, str) else '%s.$cmd' % db_name
        with self.connections_lock:
            app_name = self.app_names.get(conn_id)
        return self.fail_point.fire(name, namespace, app_name) or {}

    # -- command dispatch ------------------------------------------------

    def run_command(self, db_name, cmd, conn_id, fired=None):
        fired = fired or {}
        if not cmd:
            return CommandError(59, 'no command given').reply()
        name = next(iter(cmd))
        handler = self.commands.get(name)
        if handler is None:
            log('unknown command %r' % name)
            return CommandError(
                59, "no such command: '%s'" % name).reply()
        if not db_name:
            return CommandError(73, 'command has no database').reply()
        with self.lock:
            statement = transactions.Statement('plain')
            try:
                self.check_primary(name, cmd)
                statement = self.txns.begin(name, db_name, cmd)
                if fired.get('errorCode') is not None:
                    raise CommandError(fired['errorCode'], "Failing command "
                                       "via 'failCommand' failpoint")
                if statement.reply is not None:
                    reply = statement.reply  # a retried write: done before
                elif handler == self.cmd_hello:
                    reply = handler(cmd, conn_id)
                elif name in transactions.ENDS:
                    if db_name != 'admin':
                        raise CommandError(13, '%s may only be run against '
                                           'the admin database.' % name)
                    reply = self.txns.end_transaction(name, statement)
                else:
                    db = self.client[db_name]
                    if name in transactions.WRITES:
                        self.txns.save(statement, db_name,
                                       self.collection(db, cmd))
                    if name in transactions.READS and \
                            isinstance(cmd[name], str):
                        with self.txns.committed_view(
                                statement, db_name, self.collection(db, cmd)):
                            reply = handler(db, cmd)
                    else:
                        reply = handler(db, cmd)
                if fired.get('writeConcernError') is not None:
                    wce = OrderedDict(fired['writeConcernError'])
                    if 'code' in wce:
                        wce.setdefault('codeName',
                                       CODE_NAMES.get(wce['code'], ''))
                    reply['writeConcernError'] = wce
            except Exception as exc:
                reply = error_from_exception(exc).reply()
            self.txns.finish(name, statement, reply)
        add_error_labels(name, cmd, reply, fired)
        if self.verbose:
            log('%s.%s %r -> %r' % (db_name, name, cmd, reply))
        return reply

    def collection(self, db, cmd):
        name = next(iter(cmd.values()))
        if not isinstance(name, str) or not name:
            raise CommandError(73, 'collection name must be a non-empty '
                               'string')
        return db[name]

    @staticmethod
    def exists(coll):
        return coll.name in coll.database.list_collection_names()

    def keep_existing(self, coll):
        """Call before deleting: mongomock forgets a collection once its
        last document and index are gone; real MongoDB keeps it until it
        is dropped. Flagging it as explicitly created (mongomock has no
        public call for an existing collection) makes mongomock keep it."""
        if self.exists(coll):
            coll._store.create()

    # -- cursors ---------------------------------------------------------

    def take_batch(self, docs, size):
        """Split docs into (batch, rest): at most size documents (None for
        no count limit), and never more bytes than fit in one reply."""
        batch, total = [], 0
        for doc in docs:
            if size is not None and len(batch) >= size:
                break
            total += len(bson.encode(doc))
            if batch and total > MAX_BATCH_BYTES:
                break
            batch.append(doc)
        return batch, docs[len(batch):]

    def cursor_reply(self, ns, docs, batch_size, single_batch=False):
        if batch_size is None:
            batch_size = DEFAULT_FIRST_BATCH
        batch, rest = self.take_batch(docs, batch_size)
        cursor_id = 0
        if rest and not single_batch:
            self.reap_cursors()
            cursor_id = next(self.cursor_ids)
            self.cursors[cursor_id] = Cursor(ns, rest)
        return {'cursor': {'firstBatch': batch, 'id': Int64(cursor_id),
                           'ns': ns},
                'ok': 1.0}

    def reap_cursors(self):
        now = time.monotonic()
        for cursor_id, cursor in list(self.cursors.items()):
            if now - cursor.touched > CURSOR_TIMEOUT:
                del self.cursors[cursor_id]

    def cmd_get_more(self, db, cmd):
        cursor_id = int(cmd['getMore'])
        ns = '%s.%s' % (db.name, cmd.get('collection'))
        cursor = self.cursors.get(cursor_id)
        if cursor is None or cursor.ns != ns:
            raise CommandError(43, 'cursor id %d not found' % cursor_id)
        batch, cursor.docs = self.take_batch(cursor.docs,
                                             cmd.get('batchSize') or None)
        cursor.touched = time.monotonic()
        if not cursor.docs:
            del self.cursors[cursor_id]
            cursor_id = 0
        return {'cursor': {'nextBatch': batch, 'id': Int64(cursor_id),
                           'ns': ns},
                'ok': 1.0}

    def cmd_kill_cursors(self, db, cmd):
        killed, not_found = [], []
        for cursor_id in cmd.get('cursors', []):
            if self.cursors.pop(int(cursor_id), None) is not None:
                killed.append(cursor_id)
            else:
                not_found.append(cursor_id)
        return {'cursorsKilled': killed, 'cursorsNotFound': not_found,
                'cursorsAlive': [], 'cursorsUnknown': [], 'ok': 1.0}

    # -- server and catalog commands -------------------------------------

    def cmd_hello(self, cmd, conn_id):
        app = (cmd.get('client') or {}).get('application') or {}
        if app.get('name'):
            with self.connections_lock:
                self.app_names[conn_id] = app['name']
        # No topologyVersion: with it a pooled libmongoc client switches to
        # streaming (awaitable) hello, which we cannot serve.
        reply = {
            'helloOk': True,
            'ismaster': True,
            'isWritablePrimary': True,
            'maxBsonObjectSize': MAX_BSON_OBJECT_SIZE,
            'maxMessageSizeBytes': MAX_MESSAGE_SIZE,
            'maxWriteBatchSize': MAX_WRITE_BATCH_SIZE,
            'localTime': datetime.datetime.now(datetime.timezone.utc),
            'logicalSessionTimeoutMinutes': 30,
            'connectionId': conn_id,
            'minWireVersion': 0,
            'maxWireVersion': MAX_WIRE_VERSION,
            'readOnly': False,
            'ok': 1.0,
        }
        if self.replset is not None:
            # A one-member replica set: its primary. libmongoc then allows
            # transactions and sends retryable writes.
            now = datetime.datetime.now(datetime.timezone.utc)
            op_time = {'ts': bson.timestamp.Timestamp(int(time.time()), 1),
                       't': Int64(1)}
            primary = self.is_primary()
            op_time = {'ts': bson.timestamp.Timestamp(int(time.time()), 1),
                       't': Int64(self.term)}
            reply.update({
                'setName': self.replset,
                'setVersion': 1,
                'hosts': [self.host],
                'me': self.host,
                'ismaster': primary,
                'isWritablePrimary': primary,
                'secondary': not primary,
                'lastWrite': {'opTime': op_time, 'lastWriteDate': now,
                              'majorityOpTime': op_time,
                              'majorityWriteDate': now},
            })
            if primary:
                # Each election's id is greater than the last: libmongoc
                # drops a primary whose electionId goes backwards.
                reply['primary'] = self.host
                reply['electionId'] = bson.objectid.ObjectId(
                    '7fffffff%016x' % self.term)
        return reply

    def is_primary(self):
        """Whether a replica-set member is primary: always, but for the
        seconds after a replSetStepDown."""
        if self.stepped_down_until and \
                time.monotonic() >= self.stepped_down_until:
            self.stepped_down_until = 0.0
            self.term += 1  # elected again
        return not self.stepped_down_until

    def check_primary(self, name, cmd):
        """Refuse what a secondary refuses."""
        if self.replset is None or self.is_primary():
            return
        if name in PRIMARY_ONLY:
            raise CommandError(10107, 'not primary')
        mode = (cmd.get('$readPreference') or {}).get('mode', 'primary')
        if name in SECONDARY_READS and mode == 'primary':
            raise CommandError(13435, 'not primary and secondaryOk=false')

    def cmd_repl_set_step_down(self, db, cmd):
        """replSetStepDown: the member is a secondary for that many
        seconds, then primary again in a new term. Unlike mongod, a
        one-member set steps down without force: true."""
        if self.replset is None:
            raise CommandError(76, 'not running with --replSet')
        if db.name != 'admin':
            raise CommandError(13, 'replSetStepDown may only be run against '
                               'the admin database.')
        seconds = cmd.get('replSetStepDown')
        if isinstance(seconds, bool) or \
                not isinstance(seconds, (int, float)) or seconds <= 0:
            raise CommandError(2, 'replSetStepDown takes a number of seconds')
        if not self.is_primary():
            raise CommandError(10107, 'not primary so can\'t step down')
        self.stepped_down_until = time.monotonic() + seconds
        self.txns.abort_all()  # as mongod does on step-down
        return {'ok': 1.0}

    def cmd_configure_fail_point(self, db, cmd):
        if db.name != 'admin':
            raise CommandError(13, 'configureFailPoint may only be run '
                               'against the admin database.')
        try:
            return self.fail_point.configure(cmd)
        except failpoint.FailPointError as exc:
            raise CommandError(exc.code, exc.errmsg)

    def cmd_end_sessions(self, db, cmd):
        lsids = cmd.get('endSessions')
        if isinstance(lsids, list):
            self.txns.end_sessions(l for l in lsids if isinstance(l, dict))
        return {'ok': 1.0}

    def cmd_ok(self, db, cmd):
        return {'ok': 1.0}

    def cmd_build_info(self, db, cmd):
        return {'version': '.'.join(map(str, SERVER_VERSION[:3])),
                'versionArray': SERVER_VERSION,
                'gitVersion': 'mongomock',
                'bits': 64,
                'maxBsonObjectSize': MAX_BSON_OBJECT_SIZE,
                'ok': 1.0}

    def cmd_get_last_error(self, db, cmd):
        # Every write is acknowledged in its own reply; nothing is pending.
        return {'n': 0, 'err': None, 'ok': 1.0}

    def cmd_list_databases(self, db, cmd):
        names = sorted(self.client.list_database_names())
        if cmd.get('nameOnly'):
            databases = [{'name': n} for n in names]
        else:
            databases = [{'name': n, 'sizeOnDisk': 0, 'empty': False}
                         for n in names]
        if cmd.get('filter'):
            databases = [d for d in databases if
                         mongomock.filtering.filter_applies(cmd['filter'], d)]
        return {'databases': databases, 'totalSize': 0, 'ok': 1.0}

    def cmd_list_collections(self, db, cmd):
        infos = []
        for name in sorted(db.list_collection_names()):
            info = OrderedDict(name=name, type='collection')
            if not cmd.get('nameOnly'):
                info['options'] = {}
                info['info'] = {'readOnly': False}
                info['idIndex'] = {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}
            infos.append(info)
        if cmd.get('filter'):
            infos = [i for i in infos if
                     mongomock.filtering.filter_applies(cmd['filter'], i)]
        return self.cursor_reply('%s.$cmd.listCollections' % db.name, infos,
                                 (cmd.get('cursor') or {}).get('batchSize'))

    def index_specs(self, coll):
        specs = []
        for name, info in coll.index_information().items():
            spec = OrderedDict(v=info.get('v', 2),
                               key=OrderedDict(info['key']), name=name)
            for option in INDEX_OPTIONS:
                if option in info:
                    spec[option] = info[option]
            specs.append(spec)
        return specs

    def cmd_list_indexes(self, db, cmd):
        coll = self.collection(db, cmd)
        if not self.exists(coll):
            raise CommandError(26, 'ns does not exist: %s' % coll.full_name)
        return self.cursor_reply(coll.full_name, self.index_specs(coll),
                                 (cmd.get('cursor') or {}).get('batchSize'))

    def cmd_create(self, db, cmd):
        coll = self.collection(db, cmd)
        if self.exists(coll):
            raise CommandError(48, 'Collection already exists. NS: %s'
                               % coll.full_name)
        # Options (capped, validator, ...) are accepted and ignored.
        db.create_collection(coll.name)
        return {'ok': 1.0}

    def cmd_drop(self, db, cmd):
        coll = self.collection(db, cmd)
        if not self.exists(coll):
            raise CommandError(26, 'ns not found')
        n_indexes = len(coll.index_information())
        db.drop_collection(coll.name)
        return {'nIndexesWas': n_indexes, 'ns': coll.full_name, 'ok': 1.0}

    def cmd_drop_database(self, db, cmd):
        self.client.drop_database(db.name)
        return {'dropped': db.name, 'ok': 1.0}

    def cmd_rename_collection(self, db, cmd):
        source_db, _, source = cmd['renameCollection'].partition('.')
        target_db, _, target = cmd.get('to', '').partition('.')
        if source_db != target_db:
            raise NotImplementedError('renameCollection across databases')
        self.client[source_db].rename_collection(
            source, target, dropTarget=bool(cmd.get('dropTarget')))
        return {'ok': 1.0}

    def cmd_create_indexes(self, db, cmd):
        coll = self.collection(db, cmd)
        created = not self.exists(coll)
        if created:
            db.create_collection(coll.name)
        before = len(coll.index_information())
        for spec in cmd.get('indexes', []):
            self.create_index(coll, spec)
        after = len(coll.index_information())
        reply = {'createdCollectionAutomatically': created,
                 'numIndexesBefore': before, 'numIndexesAfter': after,
                 'ok': 1.0}
        if before == after:
            reply['note'] = 'all indexes already exist'
        return reply

    def create_index(self, coll, spec):
        key = list(spec.get('key', {}).items())
        if not key:
            raise CommandError(9, 'index specification has no key')
        # unique: false is no option at all, on mongod as in mongomock.
        options = {o: spec[o] for o in INDEX_OPTIONS
                   if spec.get(o) is not None and spec.get(o) is not False}
        if 'collation' in spec:
            raise NotImplementedError('index collation')
        name = spec.get('name')
        if not name:
            raise CommandError(9, "index specification must have a 'name'")
        for existing in self.index_specs(coll):
            same_key = list(existing['key'].items()) == key
            same_options = all(existing.get(o) == options.get(o)
                               for o in INDEX_OPTIONS)
            if existing['name'] == name:
                if not same_key:
                    raise CommandError(
                        86, 'An existing index has the same name as the '
                        'requested index but a different key: %s' % name)
                if not same_options:
                    raise CommandError(
                        85, 'An equivalent index already exists with the '
                        'same name but different options: %s' % name)
                return  # identical index: a no-op, as on a real server
            if same_key:
                raise CommandError(
                    85, 'An equivalent index already exists with a '
                    'different name and options: %s' % existing['name'])
        coll.create_index(key, name=name, **options)

    def cmd_drop_indexes(self, db, cmd):
        coll = self.collection(db, cmd)
        if not self.exists(coll):
            raise CommandError(26, 'ns not found %s' % coll.full_name)
        specs = self.index_specs(coll)
        wanted = cmd.get('index')
        if wanted == '*':
            names = [s['name'] for s in specs if s['name'] != '_id_']
        elif isinstance(wanted, str):
            names = [wanted]
        elif isinstance(wanted, list):
            names = wanted
        else:
            names = [s['name'] for s in specs
                     if dict(s['key']) == dict(wanted or {})]
            if not names:
                raise CommandError(27, "can't find index with key: %r"
                                   % (wanted,))
        known = {s['name'] for s in specs}
        for name in names:
            if name == '_id_':
                raise CommandError(72, 'cannot drop _id index')
            if name not in known:
                raise CommandError(27, 'index not found with name [%s]'
                                   % name)
        # One by one: mongomock's drop_indexes() leaves TTL rules behind.
        for name in names:
            coll.drop_index(name)
        return {'nIndexesWas': len(specs), 'ok': 1.0}

    def cmd_coll_mod(self, db, cmd):
        """collMod: an index's expireAfterSeconds changes; the collection's
        own options (validator...) are accepted and ignored."""
        coll = self.collection(db, cmd)
        if not self.exists(coll):
            raise CommandError(26, 'ns does not exist: %s' % coll.full_name)
        reply = OrderedDict()
        wanted = cmd.get('index')
        if wanted is not None:
            if not isinstance(wanted, dict):
                raise CommandError(14, "'index' must be a document")
            if ('name' in wanted) == ('keyPattern' in wanted):
                raise CommandError(2, 'must specify either index name or '
                                   'key pattern')
            specs = self.index_specs(coll)
            if 'name' in wanted:
                found = [s for s in specs if s['name'] == wanted['name']]
            else:
                key = list(dict(wanted['keyPattern']).items())
                found = [s for s in specs if list(s['key'].items()) == key]
            if not found:
                raise CommandError(27, 'cannot find index %s for ns %s'
                                   % (bson.json_util.dumps(wanted),
                                      coll.full_name))
            changes = set(wanted) - {'name', 'keyPattern'}
            if changes - {'expireAfterSeconds'}:
                raise NotImplementedError('collMod index options %s'
                                          % sorted(changes))
            if not changes:
                raise CommandError(2, 'no expireAfterSeconds field to '
                                   'update')
            new = wanted['expireAfterSeconds']
            if isinstance(new, bool) or not isinstance(new, (int, float)) \
                    or new < 0:
                raise CommandError(2, 'expireAfterSeconds must be a '
                                   'non-negative number')
            name = found[0]['name']
            old = found[0].get('expireAfterSeconds')
            if old is None:
                raise CommandError(72, 'no expireAfterSeconds field to '
                                   'update on index %s' % name)
            store = coll._store
            info = store.indexes[name]
            info['expireAfterSeconds'] = new
            store._ttl_indexes[name] = info
            reply['expireAfterSeconds_old'] = old
            reply['expireAfterSeconds_new'] = new
        reply['ok'] = 1.0
        return reply

    # -- writes ----------------------------------------------------------

    def duplicate_key_error(self, coll, doc):
        """Describe which unique index an insert collided with, in the
        server's words, since mongomock does not say."""
        candidates = [('_id_', [('_id', 1)])] + [
            (s['name'], list(s['key'].items()))
            for s in self.index_specs(coll) if s.get('unique')]
        for name, key in candidates:
            value = OrderedDict()
            for field, _ in key:
                try:
                    value[field] = mongomock.helpers.get_value_by_dot(
                        doc, field)
                except KeyError:
                    value[field] = None
            if coll.find_one(dict(value)) is not None:
                return CommandError(
                    11000, dup_key_message(coll.full_name, name, value),
                    keyPattern=OrderedDict(key), keyValue=value)
        return CommandError(11000, 'E11000 duplicate key error collection: '
                            '%s' % coll.full_name)

    @staticmethod
    def write_error(index, error):
        doc = OrderedDict(index=index, code=error.code, errmsg=error.errmsg)
        doc.update(error.extra)
        return doc

    @staticmethod
    def write_reply(reply, errors):
        if errors:
            reply['writeErrors'] = errors
        reply['ok'] = 1.0
        return reply

    def cmd_insert(self, db, cmd):
        coll = self.collection(db, cmd)
        ordered = cmd.get('ordered', True)
        n, errors = 0, []
        for index, doc in enumerate(cmd.get('documents', [])):
            try:
                coll.insert_one(doc)
                n += 1
            except Exception as exc:
                if isinstance(exc, mongomock.DuplicateKeyError) and \
                        'keyPattern' not in (exc.details or {}):
                    error = self.duplicate_key_error(coll, doc)  # on _id
                else:
                    error = error_from_exception(exc)
                errors.append(self.write_error(index, error))
                if ordered:
                    break
        return self.write_reply({'n': n}, errors)

    def update_one_statement(self, coll, op):
        query = op.get('q') or {}
        update = op.get('u')
        multi = bool(op.get('multi'))
        upsert = bool(op.get('upsert'))
        if isinstance(update, list):
            raise NotImplementedError('pipeline-style update')
        if not isinstance(update, dict):
            raise CommandError(9, "'u' must be a document")
        kwargs = {}
        if op.get('collation'):
            kwargs['collation'] = op['collation']
        if op.get('arrayFilters'):
            kwargs['array_filters'] = op['arrayFilters']
        if is_replacement(update):
            if multi:
                raise CommandError(9, 'multi update is not supported for '
                                   'replacement-style update')
            if kwargs:
                raise NotImplementedError('collation or arrayFilters on a '
                                          'replacement')
            if '_id' in update:
                # mongomock would change the stored document before
                # refusing a new _id, and never roll it back.
                target = coll.find_one(query, {'_id': 1})
                if target is not None and target['_id'] != update['_id']:
                    raise CommandError(
                        66, "After applying the update, the (immutable) "
                        "field '_id' was found to have been altered to "
                        "_id: %r" % (update['_id'],))
            return coll.replace_one(query, update, upsert=upsert).raw_result
        method = coll.update_many if multi else coll.update_one
        return method(query, update, upsert=upsert, **kwargs).raw_result

    def cmd_update(self, db, cmd):
        coll = self.collection(db, cmd)
        ordered = cmd.get('ordered', True)
        n = modified = 0
        upserted, errors = [], []
        for index, op in enumerate(cmd.get('updates', [])):
            try:
                result = self.update_one_statement(coll, op)
            except Exception as exc:
                errors.append(self.write_error(index,
                                               error_from_exception(exc)))
                if ordered:
                    break
                continue
            n += result['n']
            modified += result['nModified']
            if result['upserted'] is not None:
                upserted.append({'index': index, '_id': result['upserted']})
        reply = {'n': n, 'nModified': modified}
        if upserted:
            reply['upserted'] = upserted
        return self.write_reply(reply, errors)

    def cmd_delete(self, db, cmd):
        coll = self.collection(db, cmd)
        self.keep_existing(coll)
        ordered = cmd.get('ordered', True)
        n, errors = 0, []
        for index, op in enumerate(cmd.get('deletes', [])):
            try:
                query = op.get('q') or {}
                kwargs = {}
                if op.get('collation'):
                    kwargs['collation'] = op['collation']
                if op.get('limit', 0) == 1:
                    result = coll.delete_one(query, **kwargs)
                else:
                    result = coll.delete_many(query, **kwargs)
                n += result.deleted_count
            except Exception as exc:
                errors.append(self.write_error(index,
                                               error_from_exception(exc)))
                if ordered:
                    break
        return self.write_reply({'n': n}, errors)

    def cmd_find_and_modify(self, db, cmd):
        coll = self.collection(db, cmd)
        query = cmd.get('query') or {}
        sort = list(cmd['sort'].items()) if cmd.get('sort') else None
        fields = cmd.get('fields') or None  # {} means every field
        update = cmd.get('update')
        remove = bool(cmd.get('remove'))
        new = bool(cmd.get('new'))
        upsert = bool(cmd.get('upsert'))
        if remove and update is not None:
            raise CommandError(9, 'Cannot specify both an update and '
                               'remove=true')
        if remove and (new or upsert):
            raise CommandError(9, 'Cannot specify both new=true/upsert=true '
                               'and remove=true')
        if not remove and update is None:
            raise CommandError(9, 'Either an update or remove=true must be '
                               'specified')
        if isinstance(update, list):
            raise NotImplementedError('pipeline-style update')
        if cmd.get('collation'):
            raise NotImplementedError('findAndModify collation')

        target = coll.find_one(query, sort=sort)
        if remove:
            if target is None:
                return {'lastErrorObject': {'n': 0}, 'value': None,
                        'ok': 1.0}
            value = coll.find_one({'_id': target['_id']}, fields)
            self.keep_existing(coll)
            coll.delete_one({'_id': target['_id']})
            return {'lastErrorObject': {'n': 1}, 'value': id_first(value),
                    'ok': 1.0}

        if target is None and not upsert:
            return {'lastErrorObject': {'n': 0, 'updatedExisting': False},
                    'value': None, 'ok': 1.0}
        op = {'u': update, 'upsert': upsert}
        if cmd.get('arrayFilters'):
            op['arrayFilters'] = cmd['arrayFilters']
        if target is None:
            op['q'] = query
            result = self.update_one_statement(coll, op)
            _id = result['upserted']
            value = coll.find_one({'_id': _id}, fields) if new else None
            status = {'n': 1, 'updatedExisting': False, 'upserted': _id}
        else:
            _id = target['_id']
            before = coll.find_one({'_id': _id}, fields)
            op['q'] = pin_to_id(query, _id)
            self.update_one_statement(coll, op)
            value = coll.find_one({'_id': _id}, fields) if new else before
            status = {'n': 1, 'updatedExisting': True}
        return {'lastErrorObject': status, 'value': id_first(value),
                'ok': 1.0}

    # -- reads -----------------------------------------------------------

    def cmd_find(self, db, cmd):
        coll = self.collection(db, cmd)
        sort = list(cmd['sort'].items()) if cmd.get('sort') else None
        limit = int(cmd.get('limit') or 0)
        single_batch = bool(cmd.get('singleBatch'))
        if limit < 0:  # legacy spelling of limit + singleBatch
            limit, single_batch = -limit, True
        batch_size = cmd.get('batchSize')
        if batch_size is not None and limit:
            batch_size = min(int(batch_size), limit)
        # mongomock reads an empty projection as {_id: 1}; MongoDB as "all".
        cursor = coll.find(cmd.get('filter') or {},
                           cmd.get('projection') or None,
                           skip=int(cmd.get('skip') or 0), limit=limit,
                           sort=sort, collation=cmd.get('collation'))
        docs = [id_first(doc) for doc in cursor]
        return self.cursor_reply(coll.full_name, docs, batch_size,
                                 single_batch)

    def cmd_count(self, db, cmd):
        coll = self.collection(db, cmd)
        kwargs = {}
        if cmd.get('skip'):
            kwargs['skip'] = int(cmd['skip'])
        if cmd.get('limit'):
            kwargs['limit'] = abs(int(cmd['limit']))
        if cmd.get('collation'):
            kwargs['collation'] = cmd['collation']
        return {'n': coll.count_documents(cmd.get('query') or {}, **kwargs),
                'ok': 1.0}

    def cmd_distinct(self, db, cmd):
        coll = self.collection(db, cmd)
        if cmd.get('collation'):
            raise NotImplementedError('distinct collation')
        values = coll.distinct(cmd['key'], cmd.get('query') or None)
        return {'values': values, 'ok': 1.0}

    def cmd_aggregate(self, db, cmd):
        if cmd['aggregate'] == 1:
            raise NotImplementedError('database-level aggregate')
        coll = self.collection(db, cmd)
        if cmd.get('explain'):
            raise NotImplementedError('aggregate explain')
        if cmd.get('collation'):
            raise NotImplementedError('aggregate collation')
        docs = [id_first(doc) for doc in coll.aggregate(cmd['pipeline'])]
        return self.cursor_reply(coll.full_name, docs,
                                 (cmd.get('cursor') or {}).get('batchSize'))


class Stop(Exception):
    """Raised in the main thread by SIGTERM/SIGINT to leave accept()."""


def on_signal(signum, frame):
    raise Stop()


def exit_with_parent():
    """Stop when the process that started us is gone (a test killed by its
    timeout), so no server outlives its test run."""
    def watch():
        while os.getppid() == PARENT_PID:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def write_port_file(path, port):
    # Write then rename, so a poller never reads a half-written file.
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=0,
                        help='TCP port on 127.0.0.1 (0: pick a free one)')
    parser.add_argument('--port-file',
                        help='write the port number to this file once '
                        'listening')
    parser.add_argument('--verbose', action='store_true',
                        help='log every command and reply to stderr')
    parser.add_argument('--replset', metavar='NAME',
                        help='answer as the primary of a one-member replica '
                        'set of this name (sessions, retryable writes, '
                        'transactions); else a standalone')
    parser.add_argument('--transaction-lock-ms', type=int, default=2000,
                        help='how long a transaction waits for another to '
                        'end before WriteConflict (default 2000)')
    parser.add_argument('--transaction-lifetime-limit-seconds', type=float,
                        default=60.0,
                        help='abort a transaction older than this once '
                        'another command waits for it (default 60)')
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    exit_with_parent()

    server = Server(verbose=args.verbose, replset=args.replset,
                    lock_timeout=args.transaction_lock_ms / 1000.0,
                    lifetime=args.transaction_lifetime_limit_seconds)
    listener = server.listen(args.port)
    port = listener.getsockname()[1]
    server.host = '127.0.0.1:%d' % port
    try:
        if args.port_file:
            write_port_file(args.port_file, port)
        print('mongodb://127.0.0.1:%d' % port, flush=True)
        server.serve(listener)
    except Stop:
        pass
    finally:
        listener.close()
        server.close_connections()
    return 0


if __name__ == '__main__':
    sys.exit(main())
