/* The tests' MongoDB-protocol server: MONGODB_URI, or mongo_server.py. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include <proauth2/backend.h>

#include "test_mongodb.h"

#define PYTHON "/usr/bin/python3"  /* Debian's: it has mongomock */
#define START_TIMEOUT_MS 30000
#define REPLSET "rs0"
#define MAX_EXTRA_ARGS 16

static char base_uri[640];       /* without a database */
static test_mongo_server shared;  /* when MONGODB_URI is not set */
static pid_t owner_pid;          /* the process that started it */

static void stop_at_exit(void)
{
	/* Check's forked children exit too; only the starter stops it. */
	if (getpid() != owner_pid)
		return;
	test_mongo_server_stop(&shared);
	mongoc_cleanup();
}

const char *test_mongodb_replset(void)
{
	const char *flag = getenv("PROAUTH2_TEST_MONGODB_REPLSET");

	return flag != NULL && flag[0] != '\0' && strcmp(flag, "0") != 0 ? REPLSET : NULL;
}

bool test_mongo_server_start(test_mongo_server *server, const char *port)
{
	static const char *const replset[] = {"--replset", REPLSET, NULL};

	return test_mongo_server_start_args(server, port,
			test_mongodb_replset() != NULL ? replset : NULL);
}

/* mongo_server.py's first line of output is the URI it listens on. */
bool test_mongo_server_start_args(test_mongo_server *server, const char *port,
		const char *const *args)
{
	const char *script = getenv("PROAUTH2_MONGO_SERVER");
	const char *argv[5 + MAX_EXTRA_ARGS];
	struct pollfd pfd;
	char line[sizeof(server->uri)];
	ssize_t n, len = 0;
	size_t argc = 0;
	int fds[2];

	if (script == NULL) {
		fprintf(stderr, "test_mongodb: neither MONGODB_URI nor "
				"PROAUTH2_MONGO_SERVER is set\n");
		return false;
	}
	argv[argc++] = PYTHON;
	argv[argc++] = script;
	argv[argc++] = "--port";
	argv[argc++] = port;
	while (args != NULL && *args != NULL && argc < 4 + MAX_EXTRA_ARGS)
		argv[argc++] = *args++;
	argv[argc] = NULL;
	if (args != NULL && *args != NULL) {
		fprintf(stderr, "test_mongodb: more than %d arguments for %s\n",
				MAX_EXTRA_ARGS, script);
		return false;
	}
	if (pipe(fds) != 0)
		return false;
	server->pid = fork();
	if (server->pid < 0) {
		server->pid = 0;
		return false;
	}
	if (server->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(PYTHON, (char *const *)argv);
		perror("test_mongodb: exec " PYTHON);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (len < (ssize_t)sizeof(line) - 1 && memchr(line, '\n', (size_t)len) == NULL) {
		if (poll(&pfd, 1, START_TIMEOUT_MS) <= 0)
			break;
		n = read(fds[0], line + len, sizeof(line) - 1 - (size_t)len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fds[0]);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "mongodb://", 10) != 0) {
		fprintf(stderr, "test_mongodb: %s did not start (said \"%s\")\n", script, line);
		test_mongo_server_stop(server);
		return false;
	}
	snprintf(server->uri, sizeof(server->uri), "%s", line);
	snprintf(server->port, sizeof(server->port), "%s", strrchr(line, ':') + 1);
	return true;
}

/* libmongoc logs every reconnection attempt; keep warnings and worse. */
static void log_warnings(mongoc_log_level_t level, const char *domain,
		const char *message, void *arg)
{
	if (level <= MONGOC_LOG_LEVEL_WARNING)
		mongoc_log_default_handler(level, domain, message, arg);
}

/* The package that holds the first of mongo_server.py's modules that does
 * not import, or NULL when they all do. A module without a file (an empty
 * directory of that name, which Python imports as a namespace) is none. */
const char *test_mongodb_emulator_missing(void)
{
	static const char *const modules[][2] = {
		{"bson.json_util", "python3-pymongo"},
		{"mockupdb", "python3-mockupdb"},
		{"mongomock.collection", "python3-mongomock"},
	};
	static const char *missing;
	static bool checked;
	char command[256];
	size_t i;

	if (checked)
		return missing;
	checked = true;
	if (access(PYTHON, X_OK) != 0)
		return missing = "python3";
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]) && missing == NULL; i++) {
		snprintf(command, sizeof(command), PYTHON " -c 'import %s as m; "
				"raise SystemExit(getattr(m, \"__file__\", None) is None)' "
				"2>/dev/null", modules[i][0]);
		if (system(command) != 0)
			missing = modules[i][1];
	}
	return missing;
}

/* No server to test on is a skip (meson: exit status 77), not a failure;
 * tools/run-tests.sh installs the emulator and fails on any skip. */
static void skip_without_server(void)
{
	const char *missing;

	if (getenv("MONGODB_URI") != NULL && getenv("MONGODB_URI")[0] != '\0')
		return;
	missing = test_mongodb_emulator_missing();
	if (missing == NULL)
		return;
	printf("SKIP: %s is not installed (apt-get install %s, or set MONGODB_URI)\n",
			missing, missing);
	fflush(stdout);
	exit(77);
}

void test_mongodb_init(void)
{
	skip_without_server();
	mongoc_init();
	mongoc_log_set_handler(log_warnings, NULL);
}

bool test_mongodb_start(void)
{
	const char *uri = getenv("MONGODB_URI");

	if (base_uri[0] != '\0')
		return true;
	test_mongodb_init();
	owner_pid = getpid();
	atexit(stop_at_exit);
	if (uri != NULL && uri[0] != '\0') {
		snprintf(base_uri, sizeof(base_uri), "%s", uri);
		return true;
	}
	if (!test_mongo_server_start(&shared, "0"))
		return false;
	/* Seen as a replica set, not one server: what a deployment's URI says. */
	if (test_mongodb_replset() != NULL)
		snprintf(base_uri, sizeof(base_uri), "%s/?replicaSet=%s", shared.uri,
				test_mongodb_replset());
	else
		snprintf(base_uri, sizeof(base_uri), "%s", shared.uri);
	return true;
}

char *test_mongodb_new_database(void)
{
	static unsigned counter;
	const char *scheme_end, *path, *options;
	char *uri = NULL, auth[160] = "";
	int host_len, auth_db_len;

	if (!test_mongodb_start())
		return NULL;
	/* mongodb://[user@]hosts[/database][?options]: put ours in the path.
	 * Credentials were checked against that database (admin without one):
	 * keep checking them there. */
	scheme_end = strstr(base_uri, "://") + 3;
	path = scheme_end + strcspn(scheme_end, "/?");
	options = strchr(path, '?');
	host_len = (int)(path - base_uri);
	auth_db_len = (int)strcspn(path + (*path == '/'), "?");
	if (memchr(scheme_end, '@', (size_t)(path - scheme_end)) != NULL &&
			strstr(base_uri, "authSource=") == NULL)
		snprintf(auth, sizeof(auth), "%cauthSource=%.*s", options != NULL ? '&' : '?',
				auth_db_len > 0 ? auth_db_len : 5,
				auth_db_len > 0 ? path + 1 : "admin");
	if (asprintf(&uri, "%.*s/proauth2_test_%ld_%u%s%s", host_len, base_uri,
			(long)getpid(), counter++, options != NULL ? options : "", auth) < 0)
		return NULL;
	return uri;
}

void test_mongodb_drop_database(const char *uri_string)
{
	mongoc_client_t *client = mongoc_client_new(uri_string);
	mongoc_uri_t *uri = mongoc_uri_new(uri_string);
	mongoc_database_t *db;

	if (client != NULL && uri != NULL && mongoc_uri_get_database(uri) != NULL) {
		db = mongoc_client_get_database(client, mongoc_uri_get_database(uri));
		mongoc_database_drop(db, NULL);
		mongoc_database_destroy(db);
	}
	mongoc_uri_destroy(uri);
	mongoc_client_destroy(client);
}

long test_mongodb_count_records(const char *uri_string)
{
	mongoc_client_t *client = mongoc_client_new(uri_string);
	mongoc_uri_t *uri = mongoc_uri_new(uri_string);
	const proauth2_table *tables;
	bson_t filter = BSON_INITIALIZER;
	long total = 0;
	size_t i, n;

	tables = proauth2_schema_tables(&n);
	for (i = 0; i < n && client != NULL && uri != NULL && total >= 0; i++) {
		mongoc_collection_t *c = mongoc_client_get_collection(client,
				mongoc_uri_get_database(uri), tables[i].name);
		mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(c, &filter,
				NULL, NULL);
		const bson_t *doc;

		while (mongoc_cursor_next(cursor, &doc))
			total++;
		if (mongoc_cursor_error(cursor, NULL))
			total = -1;
		mongoc_cursor_destroy(cursor);
		mongoc_collection_destroy(c);
	}
	mongoc_uri_destroy(uri);
	mongoc_client_destroy(client);
	return client != NULL && uri != NULL ? total : -1;
}

bool test_mongodb_command(const char *uri, const char *db, const char *json)
{
	mongoc_client_t *client = mongoc_client_new(uri);
	bson_error_t error;
	bson_t *cmd = bson_new_from_json((const uint8_t *)json, -1, &error);
	bool ok = client != NULL && cmd != NULL &&
		mongoc_client_command_simple(client, db, cmd, NULL, NULL, &error);

	if (!ok)
		fprintf(stderr, "test_mongodb: %s: %s\n", json,
				client == NULL ? "bad URI" : error.message);
	if (cmd != NULL)
		bson_destroy(cmd);
	mongoc_client_destroy(client);
	return ok;
}

bool test_mongodb_fail_point(const char *uri, const char *spec)
{
	char json[2048];

	/* spec is an object: its members follow the command's name. */
	snprintf(json, sizeof(json), "{\"configureFailPoint\": \"failCommand\"%s%s",
			strcmp(spec, "{}") == 0 ? "" : ", ", spec + 1);
	return spec[0] == '{' && test_mongodb_command(uri, "admin", json);
}

bool test_mongodb_create_index(const char *uri, const char *db,
		const char *collection, const char *spec)
{
	char json[1024];

	snprintf(json, sizeof(json), "{\"createIndexes\": \"%s\", \"indexes\": [%s]}",
			collection, spec);
	return test_mongodb_command(uri, db, json);
}

long test_mongodb_fail_point_off(const char *uri)
{
	mongoc_client_t *client = mongoc_client_new(uri);
	bson_t *cmd = BCON_NEW("configureFailPoint", "failCommand", "mode", "off");
	bson_t reply = BSON_INITIALIZER;
	bson_iter_t it;
	bson_error_t error;
	long count = -1;

	if (client != NULL && mongoc_client_command_simple(client, "admin", cmd,
				NULL, &reply, &error)) {
		if (bson_iter_init_find(&it, &reply, "count") &&
				BSON_ITER_HOLDS_NUMBER(&it))
			count = (long)bson_iter_as_int64(&it);
	} else {
		fprintf(stderr, "test_mongodb: fail point off: %s\n",
				client == NULL ? "bad URI" : error.message);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	mongoc_client_destroy(client);
	return count;
}

bool test_mongodb_is_emulator(void)
{
	const char *uri = getenv("MONGODB_URI");

	return uri == NULL || uri[0] == '\0';
}

void test_mongo_server_stop(test_mongo_server *server)
{
	int status;

	if (server->pid <= 0)
		return;
	kill(server->pid, SIGTERM);
	waitpid(server->pid, &status, 0);
	server->pid = 0;
}
