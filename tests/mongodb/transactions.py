"""Sessions, retryable writes and multi-document transactions of
mongo_server.py, as a one-member replica set answers them (--replset).

A standalone (no --replset) refuses any txnNumber with error 20
IllegalOperation, like mongod.

Retryable writes: a write with lsid and txnNumber but no autocommit. Its
reply is kept per session; the same txnNumber again (the driver's retry after
a lost reply) answers that reply without applying the write twice, as mongod
does. An older txnNumber answers 225 TransactionTooOld.

Transactions: statements with autocommit:false, the first with
startTransaction:true; commitTransaction and abortTransaction on admin.
Emulated with one global transaction lock:
- the first statement takes the lock, held until commit or abort, so
  transactions run one at a time;
- a transaction that cannot get the lock within --transaction-lock-ms
  (default 2000) fails its first statement with 112 WriteConflict and the
  TransientTransactionError label, which drivers retry;
- before a transaction's first write to a collection, the collection's
  documents and indexes are saved (an undo log at collection granularity);
  abort puts them back. Reads in the transaction see its writes;
- outside a transaction (other sessions, other connections), a read (find,
  count, distinct, aggregate, listIndexes) never waits and sees what is
  committed: a collection the transaction wrote is read in its saved state;
- outside a transaction, any other command that may write waits while
  another session's transaction has written its collection (its database,
  for dropDatabase and renameCollection), for at most its maxTimeMS (then
  50 MaxTimeMSExpired) or else until the transaction ends; mongod, too,
  makes a write wait for the documents a transaction wrote. Writes to other
  collections go ahead and are not undone by the transaction's abort. The
  handshake and monitoring commands never wait;
- a statement that fails (an error or a write error) aborts its
  transaction, as on mongod 4.2+; a later statement or commit answers 251
  NoSuchTransaction;
- commitTransaction retried after success answers ok; abortTransaction
  after commit answers 256 TransactionCommitted;
- a new txnNumber on the session aborts its transaction in progress; a
  transaction older than --transaction-lifetime-limit-seconds (default 60,
  mongod's transactionLifetimeLimitSeconds) is aborted when someone else
  wants the lock;
- endSessions aborts the ended sessions' transactions.

Not as on mongod: transactions never run side by side (mongod runs them
concurrently and fails one with WriteConflict only when both write the same
document); a write outside a transaction waits for a whole collection, not
for the documents the transaction wrote; a transaction reads the latest
committed data plus its own writes, not a snapshot taken when it started;
readConcern, writeConcern and causal consistency are accepted and ignored
(no operationTime or $clusterTime is sent); a retried write answers the whole
reply kept for its txnNumber, where mongod redoes the statements of a batch
that had not run; sessions never expire; no prepared transactions, no size
limits.
"""

import copy
import time
import uuid

NONE, IN_PROGRESS, COMMITTED, ABORTED = 'none', 'in progress', 'committed', \
    'aborted'

RETRYABLE_WRITES = frozenset(('insert', 'update', 'delete', 'findAndModify',
                              'findandmodify'))
# What mongod accepts in a transaction (4.4: create and createIndexes too).
IN_TRANSACTION = RETRYABLE_WRITES | frozenset((
    'find', 'aggregate', 'distinct', 'getMore', 'killCursors', 'create',
    'createIndexes', 'commitTransaction', 'abortTransaction'))
WRITES = RETRYABLE_WRITES | frozenset(('create', 'createIndexes'))
ENDS = frozenset(('commitTransaction', 'abortTransaction'))
# Outside a transaction these read the committed state of their
# collection; every other command but the driver's own traffic (NO_WAIT)
# may change data, so it waits for a transaction that wrote its collection.
READS = frozenset(('find', 'count', 'distinct', 'aggregate', 'listIndexes'))
NO_WAIT = READS | frozenset((
    'hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo',
    'configureFailPoint', 'endSessions', 'getLastError', 'getlasterror',
    'saslStart', 'saslContinue', 'replSetStepDown', 'getMore', 'killCursors',
    'listCollections', 'listDatabases'))
# These change every collection of their database.
WHOLE_DATABASE = frozenset(('dropDatabase', 'renameCollection'))

POLL = 0.25  # seconds between checks for an expired lock holder


class TransactionError(Exception):
    def __init__(self, code, errmsg):
        super().__init__(errmsg)
        self.code = code
        self.errmsg = errmsg


class Session(object):
    def __init__(self, key):
        self.key = key
        self.txn_number = -1
        self.state = NONE
        self.started = 0.0
        self.undo = {}            # (db, collection): saved state
        self.retry_reply = None   # reply of retryable write txn_number


class Statement(object):
    """How one command relates to its session."""

    def __init__(self, kind, session=None, reply=None):
        self.kind = kind  # plain, retryable, txn, retried, recommit
        self.session = session
        self.reply = reply


def _failed(reply):
    return not reply.get('ok') or bool(reply.get('writeErrors'))


def session_key(lsid):
    if not isinstance(lsid, dict) or 'id' not in lsid:
        raise TransactionError(40415, "lsid must be a document with an 'id'")
    value = lsid['id']
    # bson hands a subtype-4 binary over as a uuid.UUID
    return value.bytes if isinstance(value, uuid.UUID) else bytes(value)


class _View(object):
    """Swaps a collection store's state for a saved one, and back."""

    def __init__(self, store, saved):
        self.store = store
        self.saved = saved
        self.current = None

    def __enter__(self):
        if self.store is not None:
            store = self.store
            self.current = (store._documents, store.indexes,
                            store._ttl_indexes, store._is_force_created)
            (store._documents, store.indexes, store._ttl_indexes,
             store._is_force_created) = self.saved

    def __exit__(self, *exc):
        if self.store is not None:
            store = self.store
            (store._documents, store.indexes, store._ttl_indexes,
             store._is_force_created) = self.current
        return False


class Transactions(object):
    def __init__(self, cond, replset, lock_timeout=2.0, lifetime=60.0,
                 log=None):
        self.cond = cond  # the server's lock, held by every caller
        self.replset = replset
        self.lock_timeout = lock_timeout
        self.lifetime = lifetime
        self.log = log or (lambda msg: None)
        self.sessions = {}
        self.owner = None  # the Session holding the transaction lock

    # -- the lock --------------------------------------------------------

    def _release(self, session):
        if self.owner is session:
            self.owner = None
            self.cond.notify_all()

    def _reap(self):
        owner = self.owner
        if owner is not None and \
                time.monotonic() - owner.started > self.lifetime:
            self.log('aborting transaction %d: older than %g s'
                     % (owner.txn_number, self.lifetime))
            self._abort(owner)

    def _wait(self, session, timeout, error, conflicts=None):
        """Wait until session may run: no other session holds the lock, or
        (with conflicts) its transaction wrote no collection conflicts()
        names. Raise error once timeout passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._reap()
            if self.owner is None or self.owner is session:
                return
            if conflicts is not None and not any(
                    conflicts(key) for key in self.owner.undo):
                return
            left = POLL if deadline is None else deadline - time.monotonic()
            if left <= 0:
                raise error
            self.cond.wait(min(left, POLL))

    # -- transaction state -----------------------------------------------

    def _abort(self, session):
        for store, saved in session.undo.values():
            (store._documents, store.indexes, store._ttl_indexes,
             store._is_force_created) = saved
        session.undo = {}
        session.state = ABORTED
        self._release(session)

    def _supersede(self, session, txn_number):
        if session.state == IN_PROGRESS:
            self._abort(session)
        session.txn_number = txn_number
        session.state = NONE
        session.retry_reply = None

    def save(self, statement, db_name, coll):
        """Call before a transaction's write to coll."""
        if statement.kind != 'txn':
            return
        key = (db_name, coll.name)
        if key in statement.session.undo:
            return
        store = coll._store
        statement.session.undo[key] = (store, (
            copy.deepcopy(store._documents), dict(store.indexes),
            dict(store._ttl_indexes), store._is_force_created))

    # -- commands --------------------------------------------------------

    def begin(self, name, db_name, cmd):
        """Check cmd against its session before it runs, taking or
        waiting for the transaction lock; may wait with the lock released.
        Raises TransactionError to refuse it."""
        self._reap()
        txn = cmd.get('txnNumber')
        if txn is None and 'autocommit' not in cmd:
            if name in ENDS:
                raise TransactionError(
                    20 if not self.replset else 251,
                    '%s must be run within a transaction' % name)
            session = None
            if 'lsid' in cmd:
                session = self.sessions.get(session_key(cmd['lsid']))
            if name not in NO_WAIT:
                self._wait_to_write(session, name, db_name, cmd)
            return Statement('plain', session)
        if not self.replset:
            raise TransactionError(20, 'Transaction numbers are only allowed '
                                   'on a replica set member or mongos')
        if 'lsid' not in cmd:
            raise TransactionError(50768, 'Transaction number requires a '
                                   'session ID to also be specified')
        if txn is None:
            raise TransactionError(50768, "'autocommit' field requires a "
                                   'transaction number to also be specified')
        txn = int(txn)
        key = session_key(cmd['lsid'])
        session = self.sessions.setdefault(key, Session(key))
        if txn < session.txn_number:
            raise TransactionError(
                225, 'Cannot start transaction %d on session because a newer '
                'transaction %d has already started' % (txn,
                                                        session.txn_number))
        if 'autocommit' not in cmd:
            return self._retryable(name, db_name, cmd, session, txn)
        if cmd['autocommit'] is not False:
            raise TransactionError(72, 'autocommit must be false')
        if name not in IN_TRANSACTION:
            raise TransactionError(263, "Cannot run '%s' in a multi-document "
                                   'transaction.' % name)
        if cmd.get('startTransaction'):
            if txn == session.txn_number:
                raise TransactionError(
                    117, 'Cannot start a transaction at given transaction '
                    'number %d: a transaction with the same number is %s'
                    % (txn, session.state))
            self._supersede(session, txn)
            self._wait(session, self.lock_timeout, TransactionError(
                112, 'WriteConflict error: this operation conflicted with '
                'another operation. Please retry your operation or '
                'multi-document transaction.'))
            self.owner = session
            session.state = IN_PROGRESS
            session.started = time.monotonic()
            return Statement('txn', session)
        if txn > session.txn_number or session.state == NONE:
            raise TransactionError(
                251, 'Given transaction number %d does not match any '
                'in-progress transactions. The active transaction number is '
                '%d' % (txn, session.txn_number))
        if session.state == ABORTED:
            raise TransactionError(251, 'Transaction %d has been aborted.'
                                   % txn)
        if session.state == COMMITTED:
            if name == 'commitTransaction':
                return Statement('recommit', session)
            raise TransactionError(256, 'Transaction %d has been committed.'
                                   % txn)
        return Statement('txn', session)

    def _retryable(self, name, db_name, cmd, session, txn):
        if name not in RETRYABLE_WRITES:
            raise TransactionError(
                50768, 'txnNumber may only be provided for multi-document '
                'transactions and retryable write commands. autocommit:false '
                'was not provided, and %s is not a retryable write command.'
                % name)
        if txn == session.txn_number:
            if session.state != NONE:
                raise TransactionError(
                    50911, 'Cannot run a retryable write with the number '
                    'of a transaction (%d)' % txn)
            if session.retry_reply is not None:
                return Statement('retried', session,
                                 copy.deepcopy(session.retry_reply))
        else:
            self._supersede(session, txn)
        self._wait_to_write(session, name, db_name, cmd)
        return Statement('retryable', session)

    def _wait_to_write(self, session, name, db_name, cmd):
        """A write outside a transaction waits while another session's
        transaction holds the lock and has written its collection (mongod
        makes it wait for the documents the transaction wrote), for at most
        its maxTimeMS."""
        target = cmd.get(name)
        if name in WHOLE_DATABASE or not isinstance(target, str):
            conflicts = lambda key: key[0] == db_name
        else:
            conflicts = lambda key: key == (db_name, target)
        max_time = cmd.get('maxTimeMS')
        self._wait(session, max_time / 1000.0 if max_time else None,
                   TransactionError(50, 'operation exceeded time limit'),
                   conflicts)

    def committed_view(self, statement, db_name, coll):
        """A context in which coll holds what is committed: outside a
        transaction, a read of a collection another session's transaction
        wrote sees it as it was before that transaction."""
        owner = self.owner
        saved = None
        if statement.kind not in ('txn', 'recommit') and owner is not None \
                and owner is not statement.session:
            saved = owner.undo.get((db_name, coll.name))
        return _View(saved[0], saved[1]) if saved else _View(None, None)

    def end_transaction(self, name, statement):
        """Run commitTransaction or abortTransaction; the reply."""
        session = statement.session
        if statement.kind == 'txn':
            if name == 'commitTransaction':
                session.undo = {}
                session.state = COMMITTED
                self._release(session)
            else:
                self._abort(session)
        return {'ok': 1.0}

    def finish(self, name, statement, reply):
        """Record what a command did once its reply is known."""
        session = statement.session
        if statement.kind == 'txn' and name not in ENDS and _failed(reply):
            # mongod 4.2+ aborts a transaction whose statement failed.
            if session.state == IN_PROGRESS:
                self._abort(session)
        elif statement.kind == 'retryable' and not _failed(reply):
            kept = copy.deepcopy(reply)
            kept.pop('writeConcernError', None)
            kept.pop('errorLabels', None)
            session.retry_reply = kept

    def abort_all(self):
        if self.owner is not None:
            self._abort(self.owner)

    def end_sessions(self, lsids):
        for lsid in lsids:
            session = self.sessions.pop(session_key(lsid), None)
            if session is not None and session.state == IN_PROGRESS:
                self._abort(session)
