#!/usr/bin/python3
"""Tests of mongo_server.py over the wire, with pymongo: the failCommand
fail point, the replica-set mode, sessions and transactions, index errors.

Each test class starts its own server on a free loopback port and stops it.
Exit status 77 (meson's SKIP) when Debian's Python modules are missing.
"""

import importlib
import os
import subprocess
import sys
import threading
import time
import unittest

try:
    for module in ('bson', 'pymongo', 'mockupdb', 'mongomock'):
        importlib.import_module(module)  # the server needs them all
except ImportError as exc:
    print('SKIP: %s (apt-get install python3-pymongo python3-mockupdb '
          'python3-mongomock)' % exc)
    sys.exit(77)

import bson  # noqa: E402
import pymongo  # noqa: E402
import pymongo.errors  # noqa: E402

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      'mongo_server.py')
PYTHON = '/usr/bin/python3'


def start_server(*args):
    proc = subprocess.Popen([PYTHON, SERVER, '--port', '0'] + list(args),
                            stdout=subprocess.PIPE, text=True)
    uri = proc.stdout.readline().strip()
    if not uri.startswith('mongodb://'):
        proc.kill()
        proc.wait()
        raise RuntimeError('mongo_server.py did not start')
    return proc, uri


def stop_server(proc):
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


class ServerTest(unittest.TestCase):
    ARGS = ()
    URI_OPTIONS = ''

    @classmethod
    def setUpClass(cls):
        cls.proc, cls.uri = start_server(*cls.ARGS)

    @classmethod
    def tearDownClass(cls):
        stop_server(cls.proc)

    def setUp(self):
        self.clients = []
        self.sessions = {}
        self.client = self.connect()
        self.admin = self.client.admin
        self.db = self.client['db_' + self._testMethodName]

    def tearDown(self):
        self.admin.command({'configureFailPoint': 'failCommand',
                            'mode': 'off'})
        for client in self.clients:
            client.close()

    def connect(self, **options):
        opts = dict(serverSelectionTimeoutMS=5000, socketTimeoutMS=10000,
                    retryWrites=False, retryReads=False, appname='tests')
        opts.update(options)
        client = pymongo.MongoClient(self.uri + '/' + self.URI_OPTIONS,
                                     **opts)
        self.clients.append(client)
        return client

    def fail(self, mode, **data):
        return self.admin.command({'configureFailPoint': 'failCommand',
                                   'mode': mode, 'data': data})

    def call(self, db, cmd):
        """db.command(cmd). pymongo puts its own lsid in every command, so
        a cmd's lsid stands for a pymongo session of its own."""
        cmd = dict(cmd)
        session = None
        if 'lsid' in cmd:
            key = bytes(cmd.pop('lsid')['id'])
            if key not in self.sessions:
                self.sessions[key] = self.client.start_session()
            session = self.sessions[key]
        return db.command(cmd, session=session)

    def command_error(self, db, cmd):
        """The reply of a command that must fail."""
        with self.assertRaises((pymongo.errors.OperationFailure,
                                pymongo.errors.NotMasterError)) as ctx:
            self.call(db, cmd)
        return ctx.exception.details

    def insert(self, _id, **extra):
        return self.call(self.db, dict({'insert': 'c',
                                       'documents': [{'_id': _id}]}, **extra))

    def ids(self, coll=None):
        coll = coll if coll is not None else self.db.c
        return sorted(d['_id'] for d in coll.find())


class FailPointTest(ServerTest):
    def test_error_code_not_applied(self):
        self.assertEqual(self.fail({'times': 1}, failCommands=['insert'],
                                   errorCode=10107,
                                   errorLabels=['Custom'])['ok'], 1.0)
        reply = self.command_error(self.db, {'insert': 'c',
                                             'documents': [{'_id': 1}]})
        self.assertEqual(reply['code'], 10107)
        self.assertEqual(reply['codeName'], 'NotWritablePrimary')
        self.assertEqual(reply['errorLabels'], ['Custom'])
        self.assertEqual(self.ids(), [])
        self.insert(1)  # times: 1 is used up
        self.assertEqual(self.ids(), [1])

    def test_always_on_off_and_count(self):
        self.fail('alwaysOn', failCommands=['find'], errorCode=2)
        for _ in range(3):
            self.assertEqual(self.command_error(
                self.db, {'find': 'c'})['code'], 2)
        self.insert(1)  # not in failCommands
        reply = self.admin.command({'configureFailPoint': 'failCommand',
                                    'mode': 'off'})
        self.assertEqual(reply['count'], 3)
        self.assertEqual(self.ids(), [1])

    def test_skip(self):
        self.fail({'skip': 1}, failCommands=['insert'], errorCode=91)
        self.insert(1)
        for _id in (2, 3):  # skip alone: fails every one after
            self.assertEqual(self.command_error(self.db, {
                'insert': 'c', 'documents': [{'_id': _id}]})['code'], 91)
        self.assertEqual(self.ids(), [1])

    def test_skip_then_times(self):
        self.fail({'skip': 2, 'times': 1}, failCommands=['insert'],
                  errorCode=11600)
        self.insert(1)
        self.insert(2)
        self.command_error(self.db, {'insert': 'c', 'documents': [{'_id': 3}]})
        self.insert(4)
        self.assertEqual(self.ids(), [1, 2, 4])

    def test_close_connection_not_applied(self):
        self.fail({'times': 1}, failCommands=['insert'], closeConnection=True)
        with self.assertRaises(pymongo.errors.AutoReconnect):
            self.insert(1)
        self.assertEqual(self.ids(), [])

    def test_close_connection_after_apply(self):
        self.fail({'times': 1}, failCommands=['insert'],
                  closeConnectionAfterApply=True)
        with self.assertRaises(pymongo.errors.AutoReconnect):
            self.insert(1)
        self.assertEqual(self.ids(), [1])

    def test_write_concern_error_applied(self):
        self.fail({'times': 1}, failCommands=['insert'],
                  writeConcernError={'code': 64, 'errmsg': 'waiting for '
                                     'replication timed out'})
        reply = self.insert(1)
        self.assertEqual(reply['ok'], 1.0)
        self.assertEqual(reply['n'], 1)
        self.assertEqual(reply['writeConcernError']['code'], 64)
        self.assertEqual(reply['writeConcernError']['codeName'],
                         'WriteConcernFailed')
        self.assertEqual(self.ids(), [1])

    def test_block_connection(self):
        self.fail({'times': 1}, failCommands=['find'], blockConnection=True,
                  blockTimeMS=300)
        start = time.monotonic()
        self.assertEqual(self.ids(), [])
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_block_beyond_socket_timeout(self):
        client = self.connect(socketTimeoutMS=200)
        self.fail({'times': 1}, failCommands=['find'], blockConnection=True,
                  blockTimeMS=1000)
        with self.assertRaises(pymongo.errors.NetworkTimeout):
            client[self.db.name].c.find_one()

    def test_trickle_reply(self):
        self.insert(1)
        self.fail({'times': 1}, failCommands=['find'], trickleReplyMS=10)
        start = time.monotonic()
        self.assertEqual(self.ids(), [1])
        # The reply is well over 50 bytes, each sent 10 ms after the last.
        self.assertGreaterEqual(time.monotonic() - start, 0.5)

    def test_app_name(self):
        other = self.connect(appname='other')
        self.fail('alwaysOn', failCommands=['insert'], errorCode=2,
                  appName='other')
        self.insert(1)
        with self.assertRaises(pymongo.errors.OperationFailure):
            other[self.db.name].c.insert_one({'_id': 2})
        self.assertEqual(self.ids(), [1])

    def test_handshake_never_fails(self):
        self.fail('alwaysOn', failCommands=['ping', 'isMaster', 'hello',
                                            'ismaster', 'configureFailPoint'],
                  errorCode=2)
        self.assertEqual(self.admin.command('ping')['ok'], 1.0)
        self.assertTrue(self.admin.command('isMaster')['ismaster'])
        self.assertTrue(self.connect().admin.command('ping')['ok'])

    def test_bad_configuration(self):
        for cmd in ({'configureFailPoint': 'nope', 'mode': 'off'},
                    {'configureFailPoint': 'failCommand', 'mode': 'sometimes'},
                    {'configureFailPoint': 'failCommand',
                     'mode': {'times': -1}},
                    {'configureFailPoint': 'failCommand',
                     'mode': {'activationProbability': 0.5}}):
            self.assertEqual(self.command_error(self.admin, cmd)['code'], 2)
        self.assertEqual(self.command_error(self.db, {
            'configureFailPoint': 'failCommand', 'mode': 'off'})['code'], 13)


class StandaloneTest(ServerTest):
    def test_hello_is_standalone(self):
        hello = self.admin.command('hello')
        self.assertTrue(hello['isWritablePrimary'])
        self.assertNotIn('setName', hello)
        self.assertNotIn('topologyVersion', hello)

    def test_transaction_numbers_refused(self):
        lsid = {'id': bson.Binary(os.urandom(16), 4)}
        for extra in ({'txnNumber': bson.Int64(1)},
                      {'txnNumber': bson.Int64(1), 'autocommit': False,
                       'startTransaction': True}):
            reply = self.command_error(self.db, dict(
                {'insert': 'c', 'documents': [{'_id': 1}], 'lsid': lsid},
                **extra))
            self.assertEqual(reply['code'], 20)
            self.assertEqual(reply['errmsg'], 'Transaction numbers are only '
                             'allowed on a replica set member or mongos')
        self.assertEqual(self.ids(), [])


class IndexTest(ServerTest):
    def create(self, *indexes):
        return self.db.command({'createIndexes': 'c',
                                'indexes': list(indexes)})

    def test_option_and_key_conflicts(self):
        self.create({'key': {'a': 1}, 'name': 'a_1', 'unique': True},
                    {'key': {'t': 1}, 'name': 't_1',
                     'expireAfterSeconds': 100})
        # The same index again: a no-op; unique: false is no option.
        self.assertEqual(self.create({'key': {'a': 1}, 'name': 'a_1',
                                      'unique': True})['note'],
                         'all indexes already exist')
        self.create({'key': {'b': 1}, 'name': 'b_1', 'unique': False})
        for spec, code in (
                ({'key': {'a': 1}, 'name': 'a_1'}, 85),
                ({'key': {'a': 1}, 'name': 'other', 'unique': True}, 85),
                ({'key': {'t': 1}, 'name': 't_1',
                  'expireAfterSeconds': 50}, 85),
                ({'key': {'z': 1}, 'name': 'a_1', 'unique': True}, 86)):
            self.assertEqual(self.command_error(self.db, {
                'createIndexes': 'c', 'indexes': [spec]})['code'], code, spec)

    def test_coll_mod_ttl_and_drop(self):
        self.create({'key': {'t': 1}, 'name': 't_1',
                     'expireAfterSeconds': 100},
                    {'key': {'a': 1}, 'name': 'a_1'})
        reply = self.db.command({'collMod': 'c', 'index': {
            'keyPattern': {'t': 1}, 'expireAfterSeconds': 50}})
        self.assertEqual((reply['expireAfterSeconds_old'],
                          reply['expireAfterSeconds_new']), (100, 50))
        reply = self.db.command({'collMod': 'c', 'index': {
            'name': 't_1', 'expireAfterSeconds': 60}})
        self.assertEqual(reply['expireAfterSeconds_old'], 50)
        ttl = [i for i in self.db.c.list_indexes() if i['name'] == 't_1']
        self.assertEqual(ttl[0]['expireAfterSeconds'], 60)
        self.assertEqual(self.command_error(self.db, {
            'collMod': 'c', 'index': {'name': 'nope',
                                      'expireAfterSeconds': 1}})['code'], 27)
        self.assertEqual(self.command_error(self.db, {
            'collMod': 'c', 'index': {'name': 'a_1',
                                      'expireAfterSeconds': 1}})['code'], 72)
        self.assertEqual(self.db.command({'dropIndexes': 'c',
                                          'index': 't_1'})['ok'], 1.0)
        self.assertEqual(self.command_error(self.db, {
            'dropIndexes': 'c', 'index': 't_1'})['code'], 27)
        self.assertEqual(sorted(i['name'] for i in self.db.c.list_indexes()),
                         ['_id_', 'a_1'])

    def assert_duplicate(self, error, index, key):
        self.assertEqual(error['code'], 11000)
        self.assertEqual(error['keyPattern'], {k: 1 for k in key})
        self.assertEqual(error['keyValue'], key)
        self.assertTrue(error['errmsg'].startswith(
            'E11000 duplicate key error collection: %s.c index: %s dup key: '
            % (self.db.name, index)), error['errmsg'])

    def test_duplicate_keys_name_their_index(self):
        self.create({'key': {'grant_id': 1}, 'name': 'grant_id_1',
                     'unique': True})
        self.db.c.insert_many([{'_id': 'a', 'grant_id': 'g1'},
                               {'_id': 'b', 'grant_id': 'g2'}])
        reply = self.db.command({'insert': 'c', 'documents': [
            {'_id': 'a', 'grant_id': 'g9'}]})
        self.assert_duplicate(reply['writeErrors'][0], '_id_', {'_id': 'a'})
        reply = self.db.command({'insert': 'c', 'documents': [
            {'_id': 'c', 'grant_id': 'g1'}]})
        self.assert_duplicate(reply['writeErrors'][0], 'grant_id_1',
                              {'grant_id': 'g1'})
        reply = self.db.command({'update': 'c', 'updates': [
            {'q': {'_id': 'b'}, 'u': {'$set': {'grant_id': 'g1'}}}]})
        self.assert_duplicate(reply['writeErrors'][0], 'grant_id_1',
                              {'grant_id': 'g1'})
        error = self.command_error(self.db, {
            'findAndModify': 'c', 'query': {'_id': 'b'},
            'update': {'$set': {'grant_id': 'g1'}}})
        self.assert_duplicate(error, 'grant_id_1', {'grant_id': 'g1'})
        self.assertEqual(self.db.c.find_one({'_id': 'b'})['grant_id'], 'g2')


class ReplicaSetTest(ServerTest):
    ARGS = ('--replset', 'rs0', '--transaction-lock-ms', '300')
    URI_OPTIONS = '?replicaSet=rs0'

    def test_hello_is_primary(self):
        hello = self.admin.command('hello')
        host = self.uri.split('//')[1]
        self.assertEqual(hello['setName'], 'rs0')
        self.assertEqual(hello['hosts'], [host])
        self.assertEqual(hello['primary'], host)
        self.assertTrue(hello['isWritablePrimary'])
        self.assertTrue(hello['ismaster'])
        self.assertFalse(hello['secondary'])
        self.assertIn('electionId', hello)
        self.assertEqual(hello['setVersion'], 1)
        self.assertIn('opTime', hello['lastWrite'])
        self.assertNotIn('topologyVersion', hello)

    def test_commit(self):
        self.db.c.insert_one({'_id': 0})
        with self.client.start_session() as s:
            with s.start_transaction():
                self.db.c.insert_one({'_id': 1}, session=s)
                self.db.c.delete_one({'_id': 0}, session=s)
                self.assertEqual(self.ids_in(s), [1])
        self.assertEqual(self.ids(), [1])

    def ids_in(self, session):
        return sorted(d['_id'] for d in self.db.c.find(session=session))

    def test_abort_undoes_every_write(self):
        self.db.c.insert_many([{'_id': 1, 'v': 1}, {'_id': 2, 'v': 2},
                               {'_id': 3, 'v': 3}])
        before = list(self.db.c.find())
        with self.client.start_session() as s:
            s.start_transaction()
            self.db.c.insert_one({'_id': 4}, session=s)
            self.db.new.insert_one({'_id': 1}, session=s)
            self.db.c.delete_one({'_id': 1}, session=s)
            self.db.c.update_one({'_id': 2}, {'$set': {'v': 20}}, session=s)
            self.db.c.find_one_and_update({'_id': 3}, {'$inc': {'v': 1}},
                                          session=s)
            self.db.c.update_one({'_id': 5}, {'$set': {'v': 5}}, upsert=True,
                                 session=s)
            self.assertEqual(self.ids_in(s), [2, 3, 4, 5])
            s.abort_transaction()
        self.assertEqual(list(self.db.c.find()), before)
        self.assertEqual(self.ids(self.db.new), [])

    def test_commit_retried_after_lost_reply(self):
        self.fail({'times': 1}, failCommands=['commitTransaction'],
                  closeConnectionAfterApply=True)
        with self.client.start_session() as s:
            s.start_transaction()
            self.db.c.insert_one({'_id': 1}, session=s)
            s.commit_transaction()  # pymongo retries the commit once
        self.assertEqual(self.ids(), [1])
        self.assertEqual(self.admin.command({
            'configureFailPoint': 'failCommand', 'mode': 'off'})['count'], 1)

    def raw_transaction(self, txn_number=1):
        lsid = {'id': bson.Binary(os.urandom(16), 4)}
        session = {'lsid': lsid, 'txnNumber': bson.Int64(txn_number),
                   'autocommit': False}
        self.insert(1, startTransaction=True, **session)
        return session

    def test_commit_is_idempotent(self):
        session = self.raw_transaction()
        for _ in range(2):
            self.assertEqual(self.call(self.admin, dict(
                {'commitTransaction': 1}, **session))['ok'], 1.0)
        reply = self.command_error(self.admin, dict(
            {'abortTransaction': 1}, **session))
        self.assertEqual(reply['code'], 256)
        self.assertEqual(self.ids(), [1])

    def test_failed_statement_aborts(self):
        self.db.c.insert_one({'_id': 1})
        lsid = {'id': bson.Binary(os.urandom(16), 4)}
        session = {'lsid': lsid, 'txnNumber': bson.Int64(1),
                   'autocommit': False}
        self.insert(2, startTransaction=True, **session)
        reply = self.insert(1, **session)
        self.assertEqual(reply['writeErrors'][0]['code'], 11000)
        reply = self.command_error(self.admin, dict(
            {'commitTransaction': 1}, **session))
        self.assertEqual(reply['code'], 251)
        self.assertIn('TransientTransactionError', reply['errorLabels'])
        self.assertEqual(self.ids(), [1])

    def test_fail_point_on_commit_keeps_transaction(self):
        session = self.raw_transaction()
        self.fail({'times': 1}, failCommands=['commitTransaction'],
                  errorCode=91)
        reply = self.command_error(self.admin, dict(
            {'commitTransaction': 1}, **session))
        self.assertEqual(reply['code'], 91)
        self.assertEqual(reply['errorLabels'], ['RetryableWriteError'])
        self.assertEqual(self.call(self.admin, dict(
            {'commitTransaction': 1}, **session))['ok'], 1.0)
        self.assertEqual(self.ids(), [1])

    def test_retryable_write_applied_once(self):
        client = self.connect(retryWrites=True)
        self.fail({'times': 1}, failCommands=['insert'],
                  closeConnectionAfterApply=True)
        client[self.db.name].c.insert_one({'_id': 1})  # retried: no 11000
        self.assertEqual(self.ids(), [1])
        self.fail({'times': 1}, failCommands=['insert'], errorCode=10107)
        client[self.db.name].c.insert_one({'_id': 2})
        self.assertEqual(self.ids(), [1, 2])

    def test_retryable_error_labels(self):
        lsid = {'id': bson.Binary(os.urandom(16), 4)}
        self.fail({'times': 2}, failCommands=['insert'], errorCode=10107)
        reply = self.command_error(self.db, {
            'insert': 'c', 'documents': [{'_id': 1}], 'lsid': lsid,
            'txnNumber': bson.Int64(1)})
        self.assertEqual(reply['errorLabels'], ['RetryableWriteError'])
        reply = self.command_error(self.db, {
            'insert': 'c', 'documents': [{'_id': 1}], 'lsid': lsid,
            'txnNumber': bson.Int64(2), 'autocommit': False,
            'startTransaction': True})
        self.assertEqual(reply['errorLabels'], ['TransientTransactionError'])
        self.assertEqual(self.ids(), [])

    def test_transactions_are_serialised(self):
        session = self.raw_transaction()
        other = {'lsid': {'id': bson.Binary(os.urandom(16), 4)},
                 'txnNumber': bson.Int64(1), 'autocommit': False,
                 'startTransaction': True}
        reply = self.command_error(self.db, dict(
            {'insert': 'c', 'documents': [{'_id': 2}]}, **other))
        self.assertEqual(reply['code'], 112)
        self.assertEqual(reply['errorLabels'], ['TransientTransactionError'])
        # Outside it: reads see what is committed, without waiting.
        self.assertEqual(self.ids(), [])
        self.assertEqual(self.db.c.count_documents({}), 0)
        # Writes to another collection go ahead, and survive an abort.
        self.db.other.insert_one({'_id': 1})
        # Writes to its collection wait, within maxTimeMS...
        reply = self.command_error(self.db, {
            'insert': 'c', 'documents': [{'_id': 3}], 'maxTimeMS': 200})
        self.assertEqual(reply['code'], 50)
        # ... or until the transaction ends.
        done = []
        writer = threading.Thread(target=lambda: done.append(
            self.db.c.insert_one({'_id': 4}).inserted_id))
        writer.start()
        time.sleep(0.2)
        self.assertEqual(done, [])
        self.call(self.admin, dict({'commitTransaction': 1}, **session))
        writer.join(10)
        self.assertEqual(done, [4])
        self.assertEqual(self.ids(), [1, 4])
        self.assertEqual(self.ids(self.db.other), [1])

    def test_other_writes_survive_abort(self):
        session = self.raw_transaction()
        self.db.other.insert_one({'_id': 1})
        self.call(self.admin, dict({'abortTransaction': 1}, **session))
        self.assertEqual(self.ids(), [])
        self.assertEqual(self.ids(self.db.other), [1])

    def test_new_transaction_number_aborts_old(self):
        session = self.raw_transaction(1)
        session['txnNumber'] = bson.Int64(2)
        self.insert(2, startTransaction=True, **session)
        self.call(self.admin, dict({'commitTransaction': 1}, **session))
        self.assertEqual(self.ids(), [2])
        session['txnNumber'] = bson.Int64(1)
        reply = self.command_error(self.admin, dict(
            {'commitTransaction': 1}, **session))
        self.assertEqual(reply['code'], 225)


class TransactionLifetimeTest(ServerTest):
    ARGS = ('--replset', 'rs0', '--transaction-lifetime-limit-seconds',
            '0.5')
    URI_OPTIONS = '?replicaSet=rs0'

    def test_expired_transaction_aborted(self):
        self.raw = ReplicaSetTest.raw_transaction
        session = self.raw(self)
        time.sleep(0.6)
        self.assertEqual(self.ids(), [])  # it aborts the expired one
        reply = self.command_error(self.admin, dict(
            {'commitTransaction': 1}, **session))
        self.assertEqual(reply['code'], 251)


class StepDownTest(ServerTest):
    ARGS = ('--replset', 'rs0')

    def test_secondary_for_the_seconds_asked(self):
        client = self.connect(directConnection=True)
        db = client[self.db.name]
        db.c.insert_one({'_id': 1})
        first = client.admin.command('hello')['electionId']
        session = ReplicaSetTest.raw_transaction(self, 1)
        self.assertEqual(client.admin.command({'replSetStepDown': 1})['ok'],
                         1.0)
        hello = client.admin.command('hello')
        self.assertFalse(hello['isWritablePrimary'])
        self.assertTrue(hello['secondary'])
        self.assertNotIn('primary', hello)
        self.assertNotIn('electionId', hello)
        # Writes fail; reads only where the read preference allows it.
        reply = self.command_error(db, {'insert': 'c',
                                        'documents': [{'_id': 2}]})
        self.assertEqual(reply['code'], 10107)
        reply = self.command_error(db, {
            'find': 'c', '$readPreference': {'mode': 'primary'}})
        self.assertEqual(reply['code'], 13435)
        self.assertEqual(db.c.find_one(), {'_id': 1})  # primaryPreferred
        # Back after the second, in a new term, the transaction aborted.
        deadline = time.monotonic() + 5
        while not client.admin.command('hello')['isWritablePrimary']:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        self.assertGreater(client.admin.command('hello')['electionId'],
                           first)
        reply = self.command_error(self.admin, dict(
            {'commitTransaction': 1}, **session))
        self.assertEqual(reply['code'], 251)
        db.c.insert_one({'_id': 2})
        self.assertEqual(self.ids(db.c), [1, 2])

    def test_standalone_has_no_step_down(self):
        proc, uri = start_server()
        try:
            client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
            with self.assertRaises(pymongo.errors.OperationFailure) as ctx:
                client.admin.command({'replSetStepDown': 1})
            self.assertEqual(ctx.exception.code, 76)
            client.close()
        finally:
            stop_server(proc)


if __name__ == '__main__':
    unittest.main(verbosity=2)
