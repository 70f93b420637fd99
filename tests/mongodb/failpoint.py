"""The failCommand fail point of mongo_server.py.

It takes the command real mongod and mongos take when started with
--setParameter enableTestCommands=1, sent to the admin database:

    {configureFailPoint: "failCommand",
     mode: "alwaysOn" | "off" | {times: N} | {skip: N},
     data: {failCommands: ["insert", ...], errorCode: N,
            closeConnection: bool, writeConcernError: {code, errmsg},
            errorLabels: [...], blockConnection: bool, blockTimeMS: N,
            appName: "...", namespace: "db.coll"}}

The reply is {count: <times the fail point fired before>, ok: 1}. As on
mongod, only the commands named in failCommands match (none without it);
appName restricts it to connections whose handshake gave that application
name, namespace to commands on that collection. Each matching command counts
once against the mode: {times: N} fires for the next N then turns itself off,
{skip: N} lets N pass then fires for every later one.

What a firing does, in this order (mongod's):
- closeConnection: close the connection; the command is not applied;
- blockConnection: wait blockTimeMS before going on;
- errorCode: answer {ok: 0, code, codeName, errmsg, errorLabels}; the
  command is not applied;
- writeConcernError: apply the command, then add the document to its ok:1
  reply as writeConcernError.
errorLabels, when given, replace the labels the server would add (see
mongo_server.py's error labels); without it the server adds its own.

Extensions, which real servers lack (a test that uses them runs only here):
- mode {skip: N, times: M}: let N matching commands pass, then fire for the
  next M, then turn off;
- data.closeConnectionAfterApply: true: apply the command, then close the
  connection without sending its reply (a lost reply);
- data.trickleReplyMS: N: send the reply one byte every N ms (a slow
  network, for timeout tests).

Differences from mongod: the handshake and monitoring commands (hello,
isMaster, ping, buildInfo, the authentication commands) and
configureFailPoint itself never match, so a monitor's traffic never uses up a
{times: N}; activationProbability, threadName, failInternalCommands and
errorExtraInfo are not supported (refused, or ignored for the latter two);
a writeConcernError is added whatever the command, where mongod adds it only
to commands that take a write concern.
"""

import threading

NAME = 'failCommand'

# Never matched: the driver's own traffic would use the fail point up.
EXEMPT = frozenset((
    'hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo',
    'configureFailPoint', 'saslStart', 'saslContinue', 'authenticate',
    'getnonce', 'logout'))


class FailPointError(Exception):
    """A configureFailPoint the server refuses, with mongod's code."""

    def __init__(self, code, errmsg):
        super().__init__(errmsg)
        self.code = code
        self.errmsg = errmsg


def _count(mode, field):
    value = mode.get(field, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or value < 0 or int(value) != value:
        raise FailPointError(2, "'%s' must be a non-negative whole number"
                             % field)
    return int(value)


class FailPoint(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.active = False
        self.skip = 0
        self.times = None  # None: no limit
        self.data = {}
        self.entered = 0

    def configure(self, cmd):
        """Run a configureFailPoint command; answers its reply document."""
        if cmd.get('configureFailPoint') != NAME:
            raise FailPointError(
                2, 'unknown fail point: %s' % (cmd.get('configureFailPoint'),))
        mode = cmd.get('mode')
        data = cmd.get('data', {})
        if not isinstance(data, dict):
            raise FailPointError(2, "'data' must be a document")
        skip, times = 0, None
        if mode == 'off':
            active = False
        elif mode == 'alwaysOn':
            active = True
        elif isinstance(mode, dict):
            unknown = set(mode) - {'times', 'skip'}
            if unknown or not mode:
                raise FailPointError(
                    2, 'unsupported fail point mode: %r' % (mode,))
            skip = _count(mode, 'skip')
            if 'times' in mode:
                times = _count(mode, 'times')
            active = times != 0
        else:
            raise FailPointError(2, 'unsupported fail point mode: %r'
                                 % (mode,))
        commands = data.get('failCommands', [])
        if not isinstance(commands, list) or \
                not all(isinstance(c, str) for c in commands):
            raise FailPointError(2, "'failCommands' must be an array of "
                                 "command names")
        if active and data.get('errorCode') is not None and \
                not isinstance(data['errorCode'], int):
            raise FailPointError(2, "'errorCode' must be a number")
        with self.lock:
            count = self.entered
            self.active = active
            self.skip, self.times = skip, times
            self.data = dict(data) if active else {}
            self.entered = 0
        return {'count': count, 'ok': 1.0}

    def fire(self, name, namespace, app_name):
        """The fail point's data if it fires for this command, else None.
        Counts the command against the mode when it matches."""
        with self.lock:
            if not self.active or name in EXEMPT:
                return None
            data = self.data
            if name not in data.get('failCommands', []):
                return None
            if 'appName' in data and data['appName'] != app_name:
                return None
            if 'namespace' in data and data['namespace'] != namespace:
                return None
            if self.skip > 0:
                self.skip -= 1
                return None
            if self.times is not None:
                self.times -= 1
                if self.times <= 0:
                    self.active = False
            self.entered += 1
            return data
