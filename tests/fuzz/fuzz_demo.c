/*
 * libFuzzer target for the demo server (example/provider_demo) as a
 * browser reaches it: the demo's own code, compiled in, serves loopback
 * HTTP through libmicrohttpd, which parses the cookies, headers and query;
 * the demo reads its session cookie, forms and tickets. The input is a
 * request as fuzz_request_parse reads it; the harness sends it with Host,
 * Content-Length and Connection: close. Markers: @S the session cookie's
 * id of a signed-in user, @C that session's CSRF token, @T a fresh
 * ticket, @U @W the demo user and password, @K the demo's public client,
 * @Q the query of the demo's own authorization request. The demo is also a
 * Domain Connect DNS provider: @P its service provider's client_id, @X
 * that client's secret, @A an access token of that client for template1
 * on example.com, host www, @M an access token of the confidential client
 * for the MCP server at /mcp. /lenient/token and /lenient/revoke read the
 * query and JSON bodies too. Every request a browser or a Domain Connect
 * client could frame is answered, never with a 5xx.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "options.h"
#include "server.h"
#include "setup.h"
#include "fuzz_common.h"

static struct demo_options opt;
static struct demo_app app;
static unsigned port;
static char *session, *csrf, *ticket, *dc_token, *mcp_token;
static unsigned long runs;

/* Send a whole request, read the whole answer (NUL-terminated; free() it),
 * or NULL when the server closed without one or took over 10 s. */
static char *exchange(const char *request, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct timeval tv = {10, 0};
	size_t n = 0, cap = 4096;
	char *answer = malloc(cap);
	ssize_t got;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
			connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0)
		abort();
	while (len > 0 && (got = send(fd, request, len, MSG_NOSIGNAL)) > 0) {
		request += got;
		len -= (size_t)got;
	}
	while ((got = recv(fd, answer + n, cap - n - 1, 0)) > 0) {
		n += (size_t)got;
		if (n + 1 == cap)
			answer = realloc(answer, cap *= 2);
	}
	close(fd);
	answer[n] = '\0';
	if (n == 0) {
		free(answer);
		return NULL;
	}
	return answer;
}

/* The quoted value after key in s, copied; NULL if absent. */
static char *find(const char *s, const char *key, const char *end)
{
	const char *at = strstr(s, key);
	size_t n;

	if (at == NULL)
		return NULL;
	at += strlen(key);
	n = strcspn(at, end);
	return strndup(at, n);
}

/* Parse the query of the demo's own authorization URL into a ticket.
 * At the cap on a client's pending requests (inputs outnumber it within
 * a ticket's lifetime), the last one given stands in, spent or not. */
static char *new_ticket(void)
{
	static char *last;
	proauth2_http_request req;
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	proauth2_status status;

	proauth2_http_request_init(&req);
	req.method = "GET";
	req.path = "/authorize";
	req.query = strchr(app.authorize_url, '?') + 1;
	status = proauth2_http_authorize_begin(app.provider, &req, &a, &r);
	if (status == PROAUTH2_OK) {
		free(last);
		last = strdup(proauth2_authorization_ticket(a));
		proauth2_authorization_free(a);
	} else {
		proauth2_http_response_free(r);
		if (status != PROAUTH2_ERR_UNAVAILABLE || last == NULL)
			abort();
	}
	return strdup(last);
}

/* Sign the demo user in, as a browser does: the login page (its CSRF
 * cookie and field), then the form, for a session and its token. False
 * when the demo refused (later in a run: its pending requests at their
 * cap, or the user locked out by the fuzzer's wrong passwords); the
 * session signed in before then stays. */
static bool sign_in(void)
{
	char *page, *request, *login, *form_ticket, *form_csrf, *answer = NULL;
	char *new_session = NULL, *new_csrf = NULL, body[768];
	buf b = BUF_INIT;

	buf_printf(&b, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
			strstr(app.authorize_url, "/authorize"));
	request = buf_finish(&b);
	page = exchange(request, strlen(request));
	free(request);
	login = page ? find(page, "proauth2_demo_login=", ";\r\n") : NULL;
	form_ticket = page ? find(page, "name=\"ticket\" value=\"", "\"") : NULL;
	form_csrf = page ? find(page, "name=\"csrf\" value=\"", "\"") : NULL;
	if (login != NULL && form_ticket != NULL && form_csrf != NULL) {
		snprintf(body, sizeof(body), "ticket=%s&csrf=%s&username=%s&password=%s",
				form_ticket, form_csrf, opt.user, opt.password);
		buf_printf(&b, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				"Connection: close\r\nCookie: proauth2_demo_login=%s\r\n"
				"Content-Type: application/x-www-form-urlencoded\r\n"
				"Content-Length: %zu\r\n\r\n%s", login, strlen(body), body);
		request = buf_finish(&b);
		answer = exchange(request, strlen(request));
		free(request);
	}
	if (answer != NULL) {
		new_session = find(answer, "proauth2_demo_session=", ";\r\n");
		new_csrf = find(answer, "name=\"csrf\" value=\"", "\"");
	}
	if (new_session != NULL && new_csrf != NULL) {
		free(session);
		free(csrf);
		session = new_session;
		csrf = new_csrf;
	} else {
		free(new_session);
		free(new_csrf);
	}
	free(answer);
	free(page);
	free(login);
	free(form_ticket);
	free(form_csrf);
	return session != NULL && csrf != NULL;
}

#define DC_REDIRECT "https://sp.example/async_oauth_response"

/* What the Domain Connect consent would give the service provider: an
 * access token whose grant covers example.com, host www. */
static char *domain_connect_token(void)
{
	proauth2_code_request req;
	proauth2_code_exchange ex;
	proauth2_token_response *tokens = NULL;
	char *code = NULL, *token = NULL;

	proauth2_code_request_init(&req);
	req.client_id = app.kept[0]->client_id;
	req.user_id = opt.user;
	req.redirect_uri = DC_REDIRECT;
	req.scope = "template1";
	req.attributes = "{\"domain\":\"example.com\",\"hosts\":[\"www\"]}";
	proauth2_code_exchange_init(&ex);
	ex.client_id = req.client_id;
	ex.client_secret = app.kept[0]->client_secret;
	ex.redirect_uri = DC_REDIRECT;
	if (proauth2_code_issue(app.provider, &req, &code, NULL) == PROAUTH2_OK) {
		ex.code = code;
		if (proauth2_token_exchange_code(app.provider, &ex, &tokens,
				NULL) == PROAUTH2_OK)
			token = strdup(tokens->access_token);
	}
	proauth2_token_response_free(tokens);
	proauth2_secret_free(code);
	return token;
}

/* A client_credentials token of the confidential client for /mcp. */
static char *mcp_access_token(void)
{
	proauth2_client_credentials_request req;
	proauth2_token_response *tokens = NULL;
	char *token = NULL;

	proauth2_client_credentials_request_init(&req);
	req.client_id = app.confidential->client_id;
	req.client_secret = app.confidential->client_secret;
	req.scope = "profile";
	req.resource = app.mcp_resource;
	if (proauth2_token_client_credentials(app.provider, &req, &tokens,
			NULL) == PROAUTH2_OK)
		token = strdup(tokens->access_token);
	proauth2_token_response_free(tokens);
	return token;
}

/* A token that names a kept client's grant, renewed once an input ended
 * it (a revocation, a replay of its grant's code). */
static void renew_token(char **token, char *(*make)(void))
{
	if (*token != NULL &&
			proauth2_token_validate(app.provider, *token, NULL, NULL) == PROAUTH2_OK)
		return;
	free(*token);
	*token = make();
}

/* Now and then, what inputs wore out: the fuzzer's sign-ins push the
 * oldest sessions out (ours too), its wrong passwords and secrets lock
 * the demo user and the kept clients out, and its revocations end the
 * tokens @A and @M name. */
static void renew(void)
{
	fuzz_unlock(app.provider, "user", opt.user);
	fuzz_unlock(app.provider, "client", app.kept[0]->client_id);
	fuzz_unlock(app.provider, "client", app.confidential->client_id);
	(void)sign_in();
	renew_token(&dc_token, domain_connect_token);
	renew_token(&mcp_token, mcp_access_token);
}

static void start(void)
{
	char *argv[] = {"fuzz_demo", "--db", ":memory:", "--bind", "127.0.0.1",
		"--port", "0", "--domain-connect", "fuzz-dns",
		"--scopes", "profile email api template1 template2",
		"--client", "id=sp.example,type=confidential,"
		"grants=authorization_code+refresh_token,redirect=" DC_REDIRECT
		",scope=template1+template2,pkce=optional",
		"--lenient-path", "/lenient", NULL};
	int fd;

	signal(SIGPIPE, SIG_IGN);
	if (options_load(&opt, (int)(sizeof(argv) / sizeof(*argv)) - 1, argv) != OPTIONS_OK)
		abort();
	fd = server_listen(opt.bind, 0, &port);
	if (fd < 0 || app_start(&app, &opt, port) != 0 ||
			server_start(fd, &app) == NULL)
		abort();
	if (!sign_in() || (dc_token = domain_connect_token()) == NULL ||
			(mcp_token = mcp_access_token()) == NULL)
		abort();
}

/* RFC 9110 tokens, targets and field values: the framing a browser
 * keeps. What breaks it is libmicrohttpd's to refuse, not the demo's. */
static int is_token(const char *s)
{
	return s[0] != '\0' && strspn(s, "!#$%&'*+-.^_`|~0123456789"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == strlen(s);
}

static int is_visible(const char *s, int space_ok)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || (*s == ' ' && !space_ok))
			if (!(space_ok && *s == '\t'))
				return 0;
	return 1;
}

static int well_framed(const fuzz_request *fr)
{
	size_t i;

	if (!is_token(fr->req.method) || fr->req.path[0] != '/' ||
			!is_visible(fr->req.path, 0) ||
			(fr->req.query != NULL && !is_visible(fr->req.query, 0)))
		return 0;
	for (i = 0; i < fr->n_headers; i++)
		if (!is_token(fr->names[i]) || !is_visible(fr->values[i], 1) ||
				strcasecmp(fr->names[i], "Content-Length") == 0 ||
				strcasecmp(fr->names[i], "Transfer-Encoding") == 0 ||
				strcasecmp(fr->names[i], "Host") == 0 ||
				strcasecmp(fr->names[i], "Connection") == 0)
			return 0;
	return 1;
}

static const char *marker(char m)
{
	switch (m) {
	case 'S':
		return session;
	case 'C':
		return csrf;
	case 'U':
		return opt.user;
	case 'W':
		return opt.password;
	case 'K':
		return app.public_client->client_id;
	case 'P':
		return app.kept[0]->client_id;
	case 'X':
		return app.kept[0]->client_secret;
	case 'A':
		return dc_token;
	case 'M':
		return mcp_token;
	case 'Q':
		return strchr(app.authorize_url, '?') + 1;
	case 'T':
		if (ticket == NULL)
			ticket = new_ticket();
		return ticket;
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *request, *answer;
	buf b = BUF_INIT;
	fuzz_request fr;
	size_t len, i;

	if (port == 0)
		start();
	if (++runs % 256 == 0)
		renew();
	text = fuzz_expand_with(data, size, &len, marker);
	if (fuzz_request_parse(&fr, text, len) != 0 || !well_framed(&fr))
		goto done;
	buf_printf(&b, "%s %s%s%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Connection: close\r\n", fr.req.method, fr.req.path,
			fr.req.query != NULL ? "?" : "", fr.req.query ? fr.req.query : "");
	for (i = 0; i < fr.n_headers; i++)
		buf_printf(&b, "%s: %s\r\n", fr.names[i], fr.values[i]);
	buf_printf(&b, "Content-Length: %zu\r\n\r\n", fr.req.body_length);
	request = buf_finish(&b);
	if (request == NULL)
		abort();
	len = strlen(request);
	/* The body may hold NUL bytes: appended as they are. */
	request = realloc(request, len + fr.req.body_length + 1);
	memcpy(request + len, fr.req.body != NULL ? fr.req.body : "",
			fr.req.body_length);
	len += fr.req.body_length;
	answer = exchange(request, len);
	/* Answered, and not with a server error; a 503 with Retry-After is
	 * the demo at its cap of pending requests, which inputs reach. */
	if (answer == NULL || strncmp(answer, "HTTP/1.1 ", 9) != 0 || (answer[9] == '5' &&
			(strncmp(answer + 9, "503", 3) != 0 ||
			strcasestr(answer, "\r\nRetry-After: ") == NULL))) {
		fprintf(stderr, "fuzz_demo: the answer was %.200s\n", answer ? answer :
				"(none)");
		abort();
	}
	free(answer);
	free(request);
done:
	free(text);
	free(ticket);
	ticket = NULL;
	return 0;
}
