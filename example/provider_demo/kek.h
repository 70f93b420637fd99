/* The key-encryption key the signing keys are sealed under, in a file of
 * its own beside the database (never in it). */
#ifndef PROVIDER_DEMO_KEK_H
#define PROVIDER_DEMO_KEK_H

#include <proauth2/provider.h>

/* The PROAUTH2_KEK_SIZE bytes of path into kek; a missing file is made,
 * mode 0600, with random bytes. -1, said on stderr, otherwise. */
int kek_load(const char *path, unsigned char kek[PROAUTH2_KEK_SIZE]);

#endif
