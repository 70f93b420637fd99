/*
 * The demo's settings: defaults, then a config file, then PROAUTH2_DEMO_*
 * environment variables, then command-line flags, each overriding the last.
 */
#ifndef DEMO_OPTIONS_H
#define DEMO_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <proauth2/client.h>

#define DEFAULT_GRANTS "authorization_code,refresh_token,client_credentials,password"
#define DEFAULT_SCOPES "profile email api"

/* A client the demo keeps registered under a chosen id (--client). */
struct demo_client {
	char *id;
	proauth2_client_type type;
	unsigned grants;                /* PROAUTH2_GRANT_* bits, 0: the default */
	char **redirects;
	size_t n_redirects;
	char *scope;                    /* NULL: the demo's scopes */
	char *name;                     /* NULL: the id */
	bool pkce_optional;             /* pkce=optional: a legacy client */
};

struct demo_options {
	unsigned port;                  /* 0: any free port */
	char *bind;                     /* a numeric IPv4 or IPv6 address */
	char *db;
	char *issuer;                   /* NULL: http://<bind>:<port> */
	char *endpoint_base;            /* NULL: the issuer */
	char *grants_text;
	unsigned grants;                /* PROAUTH2_GRANT_* bits */
	char *user;
	char *password;
	char *second_user;              /* the demo's other user */
	char *second_password;
	char *credentials_file;         /* may be NULL */
	char *registration_token;       /* NULL: anonymous registration, counted */
	char *config;                   /* may be NULL */
	/* -1: the library's default. */
	int64_t code_lifetime;
	int64_t access_token_lifetime;
	int64_t refresh_token_lifetime;
	/* The HTTP server's limits against connection abuse (server.c). */
	unsigned max_connections;
	unsigned max_per_ip;
	unsigned request_timeout;       /* seconds for a request to arrive whole */
	char *scopes;                   /* the supported scopes, space-separated */
	struct demo_client *clients;    /* --client, every layer's, in order */
	char *domain_connect;           /* a DNS provider's name: Domain Connect on */
	char *lenient_path;             /* NULL: no lenient token and revoke mounts */
	char *key_file;                 /* NULL: no signing keys, opaque tokens */
	int64_t refresh_grace;          /* config.refresh_reuse_grace */
	int64_t client_cache_lifetime;  /* config.client_cache_lifetime */
	int client_documents;           /* DOCUMENTS_OFF, _ON or _LOOPBACK */
	int backchannel_logout;         /* the same modes, for logout tokens */
	char *document_ca_file;         /* NULL: the system's CA certificates */
	bool openid;                    /* an OpenID Provider */
	char *openid_key_file;          /* <db>.kek when openid has no key_file */
	size_t n_clients;
};

/* --client-documents: Client ID Metadata Documents fetched, and from where. */
enum { DOCUMENTS_OFF, DOCUMENTS_ON, DOCUMENTS_LOOPBACK };

enum {
	OPTIONS_OK = 0,
	OPTIONS_HELP = 1,   /* --help was printed: exit 0 */
	OPTIONS_BAD = 2     /* a message went to stderr: exit 2 */
};

/* Fill o from argv, the environment and the config file. o is to be freed
 * with options_free() whatever the outcome. */
int options_load(struct demo_options *o, int argc, char **argv);
void options_free(struct demo_options *o);
void options_usage(FILE *f);

#endif
