/* Checks of an authorization request, shared by code issue and pending
 * authorizations (authorization.c). */
#ifndef PROAUTH2_LIB_CODE_H
#define PROAUTH2_LIB_CODE_H

#include "internal.h"

/* The registered redirect URI a request means: uri itself if registered,
 * the only registered one if uri is NULL (RFC 6749 §3.1.2.3); else NULL. */
const char *code_redirect_target(const json_t *client, const char *uri);

/* Whether client's code flow needs PKCE: a public client's always, every
 * client's under config.require_pkce, unless the host made it optional. */
bool code_pkce_required(const proauth2_provider *p, const json_t *client);

/* The client may use the code grant, redirect_uri is registered, and PKCE
 * is present where required and well-formed; *method receives the static
 * challenge method to store (NULL without PKCE). Scope is checked apart. */
proauth2_status code_check_request(proauth2_provider *p, const json_t *client,
		const proauth2_code_request *req, const char **method,
		proauth2_error *err);

#endif
