/* The engine's side of logout (include/proauth2/logout.h). */
#ifndef PROAUTH2_LIB_LOGOUT_INTERNAL_H
#define PROAUTH2_LIB_LOGOUT_INTERNAL_H

#include "internal.h"

/* user_id's grant to client_id ended (the consent revoked, the grants
 * with it; had_tokens: some were): the client is taken out of the user's
 * sessions and told in each, or, when it was in none but had tokens,
 * once without sid. Nothing on a provider that is no OpenID Provider. */
proauth2_status logout_client(proauth2_provider *p, const char *user_id,
		const char *client_id, bool had_tokens, proauth2_error *err);

/* End the sessions in taken ({sid: {client_id: [grant_id, ...]}}, as
 * lib/session.h takes them) of user_id: each client told, each grant
 * revoked. The first failure to revoke is returned, the rest tried. */
proauth2_status logout_end(proauth2_provider *p, const char *user_id,
		const json_t *taken, proauth2_error *err);

#endif
