/* The engine's side of logout (include/proauth2/logout.h). */
#ifndef PROAUTH2_LIB_LOGOUT_INTERNAL_H
#define PROAUTH2_LIB_LOGOUT_INTERNAL_H

#include "internal.h"

/* user_id's grant to client_id ended (the consent revoked, the grants
 * with it): the client is taken out of the user's sessions and told in
 * each, or once without sid when it was in none. Nothing on a provider
 * that is no OpenID Provider. */
proauth2_status logout_client(proauth2_provider *p, const char *user_id,
		const char *client_id, proauth2_error *err);

#endif
