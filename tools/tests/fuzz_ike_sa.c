// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IKE SA state machine (tools/daemon/ike_sa.c).
 *
 * The first input byte chooses the victim, the rest is cut into up to
 * four datagrams at "\xff\xfe\xfd\xfc" separators:
 *   even: a responder, which gets every datagram as it is;
 *   odd:  an initiator that has sent IKE_SA_INIT and waits for the
 *         answer: each datagram gets its SPIi (when it is long enough),
 *         so that it reaches the SA;
 *   bit 1: the responder wants a COOKIE for every new IKE SA.
 * Responses the daemons send are discarded; the clock moves a second per
 * datagram and the timers run.  Build and run: `make -C tools fuzz`.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/ike_sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf[] =
	"connections { t {\n"
	"  local_addrs = 192.0.2.2\n remote_addrs = 192.0.2.1\n"
	"  proposals = aes128gcm16-prfsha256-ecp256-x25519, aes128-sha256-modp2048\n"
	"  local { auth = psk\n id = sun.example.org }\n"
	"  remote { auth = psk\n id = %any }\n"
	"  children { net { local_ts = 10.2.0.0/16\n remote_ts = 10.1.0.0/16\n"
	"    esp_proposals = aes128gcm16, aes128-sha256-esn\n"
	"    interface = esp0 } }\n"
	"} }\n"
	"secrets { ike-1 { secret = fuzz } }\n";

static uint64_t now = 1000;

static void __attribute__((format(printf, 3, 4)))
io_log(void *ctx, int level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	(void)ctx; (void)level;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

static uint64_t io_now(void *ctx)
{
	(void)ctx;
	return now;
}

static int io_send(void *ctx, const uint8_t *buf, size_t len,
		   const struct sockaddr *from, const struct sockaddr *to)
{
	(void)ctx; (void)buf; (void)len; (void)from; (void)to;
	return 0;
}

static int io_install(void *ctx, const struct ike_child_dir *c)
{
	(void)ctx; (void)c;
	return 0;
}

static int io_delete(void *ctx, const char *ifname, uint8_t dir, uint32_t spi,
		     const struct sockaddr *dst)
{
	(void)ctx; (void)ifname; (void)dir; (void)spi; (void)dst;
	return 0;
}

static const struct ike_io io = {
	.send = io_send, .child_install = io_install,
	.child_delete = io_delete, .log = io_log, .now = io_now,
};

static struct config cfg;
static struct sockaddr_in peer, self;

static void init_once(void)
{
	char err[CONF_ERR_LEN];

	if (cfg.n_conns)
		return;
	if (config_load_text("fuzz.conf", conf, strlen(conf), &cfg, NULL, NULL,
			     err)) {
		fprintf(stderr, "fuzz_ike_sa: %s\n", err);
		abort();
	}
	peer.sin_family = self.sin_family = AF_INET;
	peer.sin_port = self.sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.1", &peer.sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &self.sin_addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sep[4] = { 0xff, 0xfe, 0xfd, 0xfc };
	struct ike_daemon d;
	struct ikesa *sa = NULL;
	char err[IKE_LAST_ERROR_LEN];
	uint8_t *buf;
	size_t off = 1;
	int i;

	if (!size)
		return 0;
	init_once();
	ike_daemon_init(&d, &cfg, &io, NULL);
	if (data[0] & 2)
		d.cookie_threshold = 0;	/* every new IKE SA needs a COOKIE */
	if (data[0] & 1) {
		/* We are the initiator "sun" talking to 192.0.2.1. */
		sa = ike_sa_initiate(&d, "t", NULL, (struct sockaddr *)&self,
				     (struct sockaddr *)&peer, err);
		if (!sa)
			abort();
	}
	for (i = 0; i < 4 && off <= size; i++) {
		const uint8_t *end = memmem(data + off, size - off, sep, 4);
		size_t len = end ? (size_t)(end - data) - off : size - off;

		buf = malloc(len ? len : 1);
		memcpy(buf, data + off, len);
		if (sa && len >= 8)
			memcpy(buf, sa->spi_i, 8);
		ike_sa_recv(&d, buf, len, (struct sockaddr *)&peer,
			    (struct sockaddr *)&self);
		free(buf);
		now += 1000;
		ike_daemon_tick(&d);
		off += len + 4;
	}
	ike_daemon_free(&d);
	return 0;
}
