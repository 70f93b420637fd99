/* The demo's delivery of Back-Channel Logout tokens (--backchannel-logout):
 * a POST to the client's backchannel_logout_uri, held in as outbound.c
 * says. */
#ifndef DEMO_BACKCHANNEL_H
#define DEMO_BACKCHANNEL_H

#include "outbound.h"

/* A proauth2_backchannel_logout_fn; arg a struct outbound. */
int backchannel_post(void *arg, const char *client_id, const char *uri,
		const char *logout_token);

#endif
