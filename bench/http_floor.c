/*
 * The floor of the HTTP benchmark: libmicrohttpd set up as provider_demo
 * sets it up (its thread pool, keep-alive), answering every request with a
 * fixed token-shaped JSON body. What proauth2 adds is measured above this.
 *
 *   http_floor PORT    (listens on 127.0.0.1; SIGTERM stops it)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "server.h"  /* provider_demo's: SERVER_THREADS */

#define BODY "{\"access_token\":\"ocVvySeL0Nebeak8qmVv9kcjBXA5k1QJuHhqqBKQi8g\"," \
	"\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"read\"}"

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
		const char *method, const char *version, const char *upload,
		size_t *upload_size, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (*state == NULL) {  /* first call: headers only */
		*state = c;
		return MHD_YES;
	}
	if (*upload_size != 0) {  /* drain the body */
		*upload_size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(BODY) - 1, (void *)BODY,
			MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	struct MHD_Daemon *d;
	sigset_t stop;
	int sig;

	if (argc != 2)
		return 2;
	addr.sin_port = htons((uint16_t)atoi(argv[1]));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0,
			NULL, NULL, answer, NULL,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
			MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVER_THREADS,
			MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "http_floor: cannot listen on 127.0.0.1:%s\n", argv[1]);
		return 1;
	}
	printf("http_floor listening on http://127.0.0.1:%s\n", argv[1]);
	fflush(stdout);
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	return 0;
}
