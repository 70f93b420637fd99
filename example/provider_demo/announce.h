/* Telling the user (and test scripts) how to reach the running demo. */
#ifndef DEMO_ANNOUNCE_H
#define DEMO_ANNOUNCE_H

#include <stdio.h>

#include "app.h"

/* The URLs, demo clients, user, authorization URL and curl commands to
 * try, flushed. 0 on success. */
int announce_banner(const struct demo_app *app, FILE *out);

/* The same as JSON at path, written whole or not at all (PATH.tmp, then
 * rename). 0 on success, else -1 with a message on stderr. */
int announce_credentials(const struct demo_app *app, const char *path);

#endif
