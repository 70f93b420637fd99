/* The demo's credentials as JSON, for scripts and tests to pick up. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "announce.h"
#include "buf.h"

static json_t *credentials(const struct demo_app *app)
{
	return json_pack("{s:s, s:s, s:I, s:{s:s, s:s}, s:{s:s?}, s:s, s:s, s:s,"
			" s:s, s:s, s:s?}",
			"issuer", app->issuer,
			"url", app->listen_url,
			"port", (json_int_t)app->port,
			"confidential",
				"client_id", app->confidential->client_id,
				"client_secret", app->confidential->client_secret,
			"public",
				"client_id", app->public_client != NULL ?
					app->public_client->client_id : NULL,
			"redirect_uri", app->redirect_uri,
			"user", app->opt->user,
			"password", app->opt->password,
			"code_verifier", app->verifier,
			"code_challenge", app->challenge,
			"authorization_url", app->authorize_url);
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int announce_credentials(const struct demo_app *app, const char *path)
{
	json_t *doc = credentials(app);
	char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	buf b = BUF_INIT;
	char *tmp;
	int fd = -1, rc = -1;

	json_decref(doc);
	buf_printf(&b, "%s.tmp", path);
	tmp = buf_finish(&b, NULL);
	if (text == NULL || tmp == NULL) {
		fputs("provider_demo: out of memory\n", stderr);
		goto out;
	}
	/* It holds a client secret: readable by us alone. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) != 0 ||
			write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
		fprintf(stderr, "provider_demo: cannot write %s: %s\n", tmp,
				strerror(errno));
		goto out;
	}
	if (close(fd) != 0 || (fd = -1, rename(tmp, path) != 0)) {
		fd = -1;
		fprintf(stderr, "provider_demo: cannot write %s: %s\n", path,
				strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	if (text != NULL)
		OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}
