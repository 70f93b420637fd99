/*
 * What the whole demo shares, and how it starts: the datastore, the
 * provider, its demo clients, the PKCE pair it printed, the browser
 * sessions, and the banner that tells the user (and test scripts) how to
 * reach it.
 */
#ifndef DEMO_SETUP_H
#define DEMO_SETUP_H

#include <stdbool.h>
#include <stdio.h>

#include <proauth2/proauth2.h>

#include "document_fetch.h"
#include "options.h"

struct sessions;

struct demo_app {
	const struct demo_options *opt;
	unsigned port;                  /* the one really bound */
	char *listen_url;               /* http://<bind>:<port> */
	char *issuer;                   /* as configured, else listen_url */
	char *base;                     /* issuer without a trailing '/' */
	char *redirect_uri;             /* <issuer>/callback */
	char *mcp_resource;             /* <issuer>/mcp, the MCP server's identifier */
	unsigned char kek[PROAUTH2_KEK_SIZE];  /* from opt->key_file */
	unsigned char pairwise_key[PROAUTH2_KEK_SIZE];  /* made from kek */
	char *authorize_url;            /* for the public client, with PKCE */
	char *verifier;                 /* the PKCE pair, library secrets */
	char *challenge;
	char *state;
	proauth2_datastore *ds;
	proauth2_provider *provider;
	proauth2_client *confidential;
	proauth2_client *public_client; /* NULL unless authorization_code is on */
	proauth2_client *api;           /* "demo API", a resource server at <issuer>/api */
	proauth2_client **kept;         /* opt->clients as registered; secret only when new */
	struct sessions *sessions;
	struct outbound documents;    /* --client-documents */
	struct outbound backchannel;  /* --backchannel-logout */
	struct zone *zone;              /* Domain Connect's records; NULL when off */
	/* The demo's own routes, raw paths: its pages under the issuer's
	 * path; the browser flow at the provider's authorization endpoint,
	 * its login and consent pages beside it (where the pages' relative
	 * form actions lead). */
	char *index_path;               /* <issuer path>/ */
	char *index_url;                /* <issuer>/, where logout returns */
	char *logout_path;              /* the end-session endpoint's */
	char *callback_path;            /* <issuer path>/callback */
	char *api_path;                 /* <issuer path>/api/me */
	char *mcp_path;                 /* <issuer path>/mcp */
	char *authorize_path;
	char *login_path;               /* <authorize path's folder>/login */
	char *consent_path;             /* <authorize path's folder>/consent */
};

/* Open the datastore, create the provider and register fresh demo clients
 * (the server listens on port). 0 on success, else -1 with a message on
 * stderr; app_stop() cleans up either way. */
int app_start(struct demo_app *app, const struct demo_options *opt, unsigned port);
void app_stop(struct demo_app *app);

/* Whether user and password are one of the demo users', in constant
 * time. */
bool app_credentials_ok(const struct demo_app *app, const char *user,
		const char *password);

/* The demo user named user (the options' string), or NULL. */
const char *app_user(const struct demo_app *app, const char *user);

/* Whether subject (an id_token_hint's) is user as client_id knows users
 * (its pairwise subjects, or the user id). */
bool app_subject_is_user(const struct demo_app *app, const char *client_id,
		const char *subject, const char *user);

/* The URLs, demo clients, user, authorization URL and curl commands to
 * try, flushed. 0 on success. */
int app_print_banner(const struct demo_app *app, FILE *out);

/* The same as JSON at path, written whole or not at all (PATH.tmp, then
 * rename). 0 on success, else -1 with a message on stderr. */
int app_write_credentials(const struct demo_app *app, const char *path);

#endif
