/*
 * A tour of the grant engine on an SQLite file, one step a line:
 * register a client, issue a code, exchange it, validate, refresh, revoke.
 *
 *   walkthrough [database-path]     (default: proauth2-demo.db)
 */
#include <stdio.h>
#include <stdlib.h>

#include <proauth2/proauth2.h>

/* A real client makes these; here they are RFC 7636's example pair. */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT_URI "http://127.0.0.1:9000/callback"

static int fail(const char *step, const proauth2_error *err)
{
	fprintf(stderr, "%s failed: %s (%s)\n", step, err->text,
			proauth2_status_oauth_error(err->status));
	return EXIT_FAILURE;
}

static int tour(proauth2_provider *provider)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_code_request request;
	proauth2_code_exchange exchange;
	proauth2_refresh_request refresh;
	proauth2_client *client = NULL;
	proauth2_token_response *tokens = NULL, *refreshed = NULL;
	proauth2_token_info *info = NULL;
	proauth2_error err = {0};
	char *code = NULL;
	int rc = EXIT_FAILURE;

	/* Each request struct is filled after its init (see common.h). */
	proauth2_client_params_init(&params);
	params.type = PROAUTH2_CLIENT_CONFIDENTIAL;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.scope = "profile email";
	params.name = "Walkthrough app";
	if (proauth2_client_register(provider, &params, &client, &err) != PROAUTH2_OK)
		return fail("register", &err);
	printf("1. registered client   client_id=%s\n"
	       "                       client_secret=%s (shown once, stored hashed)\n",
	       client->client_id, client->client_secret);

	proauth2_code_request_init(&request);
	request.client_id = client->client_id;
	request.user_id = "alice";
	request.redirect_uri = REDIRECT_URI;
	request.scope = "profile";
	request.code_challenge = CHALLENGE;
	if (proauth2_code_issue(provider, &request, &code, &err) != PROAUTH2_OK) {
		fail("code", &err);
		goto out;
	}
	printf("2. alice consented     code=%s (one use, 60 s)\n", code);

	proauth2_code_exchange_init(&exchange);
	exchange.client_id = client->client_id;
	exchange.client_secret = client->client_secret;
	exchange.code = code;
	exchange.redirect_uri = REDIRECT_URI;
	exchange.code_verifier = VERIFIER;
	if (proauth2_token_exchange_code(provider, &exchange, &tokens, &err) != PROAUTH2_OK) {
		fail("exchange", &err);
		goto out;
	}
	printf("3. code for tokens     access_token=%s\n"
	       "                       refresh_token=%s expires_in=%lld scope=\"%s\"\n",
	       tokens->access_token, tokens->refresh_token,
	       (long long)tokens->expires_in, tokens->scope);

	if (proauth2_token_validate(provider, tokens->access_token, &info, &err)
			!= PROAUTH2_OK) {
		fail("validate", &err);
		goto out;
	}
	printf("4. validated           user_id=%s client_id=%s scope=\"%s\"\n",
	       info->user_id, info->client_id, info->scope);

	if (proauth2_token_exchange_code(provider, &exchange, &refreshed, &err)
			== PROAUTH2_OK) {
		fprintf(stderr, "a replayed code was accepted\n");
		goto out;
	}
	printf("5. code replayed       refused: %s; tokens from it revoked: %s\n",
	       proauth2_status_oauth_error(err.status),
	       proauth2_token_validate(provider, tokens->access_token, NULL, NULL)
	       == PROAUTH2_ERR_INVALID_TOKEN ? "yes" : "NO");

	/* A fresh grant for the rest of the tour. */
	proauth2_secret_free(code);
	proauth2_token_response_free(tokens);
	tokens = NULL;
	if (proauth2_code_issue(provider, &request, &code, &err) != PROAUTH2_OK ||
			(exchange.code = code, proauth2_token_exchange_code(provider,
			&exchange, &tokens, &err)) != PROAUTH2_OK) {
		fail("second grant", &err);
		goto out;
	}
	proauth2_refresh_request_init(&refresh);
	refresh.client_id = client->client_id;
	refresh.client_secret = client->client_secret;
	refresh.refresh_token = tokens->refresh_token;
	if (proauth2_token_refresh(provider, &refresh, &refreshed, &err) != PROAUTH2_OK) {
		fail("refresh", &err);
		goto out;
	}
	printf("6. refreshed           access_token=%s\n"
	       "                       refresh_token=%s (the old one is spent)\n",
	       refreshed->access_token, refreshed->refresh_token);

	if (proauth2_token_revoke(provider, client->client_id, refreshed->refresh_token,
			PROAUTH2_HINT_REFRESH_TOKEN, &err) != PROAUTH2_OK) {
		fail("revoke", &err);
		goto out;
	}
	printf("7. revoked the grant   access token now: %s\n",
	       proauth2_status_oauth_error(proauth2_token_validate(provider,
	       refreshed->access_token, NULL, NULL)));
	rc = EXIT_SUCCESS;
out:
	proauth2_token_info_free(info);
	proauth2_token_response_free(refreshed);
	proauth2_token_response_free(tokens);
	proauth2_secret_free(code);
	proauth2_client_free(client);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "proauth2-demo.db";
	proauth2_datastore *ds = NULL;
	proauth2_provider *provider = NULL;
	proauth2_config cfg;
	proauth2_error err = {0};
	int rc;

	if (proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, &err) != PROAUTH2_OK)
		return fail("open datastore", &err);
	proauth2_config_init(&cfg);
	cfg.issuer = "http://127.0.0.1:8080";
	cfg.datastore = ds;
	cfg.supported_scopes = "profile email";
	if (proauth2_provider_new(&cfg, &provider, &err) != PROAUTH2_OK) {
		proauth2_datastore_close(ds);
		return fail("provider", &err);
	}
	printf("proauth2 walkthrough on SQLite file %s\n\n", path);
	rc = tour(provider);
	proauth2_provider_free(provider);
	proauth2_datastore_close(ds);
	return rc;
}
