/* The demo's key-encryption key: 32 random bytes in a file, made once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "kek.h"

static int failed(const char *path, const char *why)
{
	fprintf(stderr, "provider_demo: key file %s: %s\n", path, why);
	return -1;
}

/* Write a new key to path, which must not exist yet. */
static int make(const char *path, unsigned char kek[PROAUTH2_KEK_SIZE])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ssize_t n;

	if (fd < 0)
		return failed(path, strerror(errno));
	if (RAND_bytes(kek, PROAUTH2_KEK_SIZE) != 1) {
		close(fd);
		unlink(path);
		return failed(path, "no random bytes");
	}
	n = write(fd, kek, PROAUTH2_KEK_SIZE);
	if (fsync(fd) != 0 || close(fd) != 0 || n != PROAUTH2_KEK_SIZE) {
		unlink(path);
		return failed(path, "could not be written");
	}
	return 0;
}

int kek_load(const char *path, unsigned char kek[PROAUTH2_KEK_SIZE])
{
	unsigned char extra;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 && errno == ENOENT)
		return make(path, kek);
	if (fd < 0)
		return failed(path, strerror(errno));
	n = read(fd, kek, PROAUTH2_KEK_SIZE);
	/* Exactly the key: a longer file is not one we made. */
	if (n == PROAUTH2_KEK_SIZE && read(fd, &extra, 1) == 0) {
		close(fd);
		return 0;
	}
	close(fd);
	OPENSSL_cleanse(kek, PROAUTH2_KEK_SIZE);
	return failed(path, "is not 32 bytes (a key this demo made)");
}
