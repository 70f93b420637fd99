/*
 * provider_demo: a complete OAuth 2 authorization server on proauth2 and
 * libmicrohttpd, with login and consent pages and a protected resource.
 *
 *   provider_demo [--port N] [--bind ADDR] [--db PATH] [--issuer URL]
 *                 [--endpoint-base URL] [--config FILE] [--code-lifetime S]
 *                 [--access-token-lifetime S] [--refresh-token-lifetime S]
 *                 [--grants LIST] [--user NAME] [--password PW]
 *                 [--credentials-file PATH] [--max-connections N]
 *                 [--max-per-ip N] [--request-timeout S] [--scopes LIST]
 *                 [--client SPEC]... [--help]
 *
 * Defaults: 127.0.0.1:8080 (--port 0 picks a free port), provider_demo.db
 * (--db also takes a mongodb:// URI when built with MongoDB),
 * issuer http://<bind>:<port>, every grant type, user demo/demo. Settings
 * come from the config file (`key = value', keys are the long options),
 * then PROAUTH2_DEMO_<OPTION> variables, then flags. A bad value exits 2.
 *
 * At every start it registers a confidential and a public demo client
 * (redirect URI <issuer>/callback) and prints their credentials, an
 * authorization URL with a PKCE challenge and its verifier, and curl
 * commands to try; --credentials-file writes the same as JSON.
 *
 * Routes (under the issuer's path, or --endpoint-base's for the
 * endpoints): /token /revoke /introspect /register[/<id>] and the
 * metadata at RFC 8414's place (proauth2_http_handle),
 * GET /authorize -> login page -> POST /login -> consent page ->
 * POST /consent -> 303 to the client (login and consent beside the
 * authorization endpoint); GET /callback shows the code;
 * GET /api/me needs a bearer token with scope "profile"; GET / is an index.
 *
 * Against abuse: sign-ins and the password grant go through the library's
 * throttle (user:<name>), the login form carries a CSRF token and POSTs
 * check Origin, and the server limits connections in all (1000), per
 * address (32) and gives each request 10 s to arrive whole (server.c).
 *
 * Ctrl-C or SIGTERM stops it cleanly (exit 0).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef PROAUTH2_DEMO_MONGODB
#include <mongoc/mongoc.h>
#endif

#include "server.h"
#include "setup.h"

/* Block the stop signals in every thread, MHD's included, so that only
 * sigwait() sees them. */
static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, set, NULL);
}

#ifdef PROAUTH2_DEMO_MONGODB
/* libmongoc logs every reconnection attempt; keep warnings and worse. */
static void log_warnings(mongoc_log_level_t level, const char *domain,
		const char *message, void *arg)
{
	if (level <= MONGOC_LOG_LEVEL_WARNING)
		mongoc_log_default_handler(level, domain, message, arg);
}
#endif

static int serve(const struct demo_options *opt, const sigset_t *stop)
{
	struct demo_app app;
	server *srv = NULL;
	unsigned port;
	int fd, sig, rc = EXIT_FAILURE;

	fd = server_listen(opt->bind, opt->port, &port);
	if (fd < 0)
		return EXIT_FAILURE;
	if (app_start(&app, opt, port) != 0) {
		close(fd);
		goto out;
	}
	srv = server_start(fd, &app);
	if (srv == NULL || app_print_banner(&app, stdout) != 0)
		goto out;
	if (opt->credentials_file != NULL &&
			app_write_credentials(&app, opt->credentials_file) != 0)
		goto out;
	while (sigwait(stop, &sig) != 0)
		;
	fprintf(stderr, "provider_demo: %s, stopping\n", strsignal(sig));
	rc = EXIT_SUCCESS;
out:
	server_stop(srv);
	app_stop(&app);
	return rc;
}

int main(int argc, char **argv)
{
	struct demo_options opt;
	sigset_t stop;
	int rc;

	rc = options_load(&opt, argc, argv);
	if (rc != OPTIONS_OK) {
		options_free(&opt);
		return rc == OPTIONS_HELP ? EXIT_SUCCESS : 2;
	}
	if (block_signals(&stop) != 0) {
		perror("provider_demo: pthread_sigmask");
		options_free(&opt);
		return EXIT_FAILURE;
	}
#ifdef PROAUTH2_DEMO_MONGODB
	mongoc_init();  /* the application's job, not the library's */
	mongoc_log_set_handler(log_warnings, NULL);
#endif
	rc = serve(&opt, &stop);
#ifdef PROAUTH2_DEMO_MONGODB
	mongoc_cleanup();
#endif
	options_free(&opt);
	return rc;
}
