// SPDX-License-Identifier: GPL-2.0
/*
 * esptund IKE SA state machine: two daemons in one process, an initiator
 * ("moon", 192.0.2.1) and a responder ("sun", 192.0.2.2), connected by an
 * in-memory network that queues datagrams and can drop, duplicate,
 * reorder or NAT them.  Time is a variable.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/uapi/linux/esptun.h"
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/auth.h"
#include "../daemon/ike_sa.h"
#include "../daemon/sk.h"
#include "../daemon/ts.h"
#include "tap.h"

#define MAXPKT		256
#define MAXINST		16
#define N(a)		(sizeof(a) / sizeof((a)[0]))

struct inst {
	struct ike_child_dir c;
	uint8_t key1[128], key2[128];
	size_t len1, len2;
	struct ike_ts src, dst;
};

struct node {
	const char *name;
	struct config cfg;
	struct creds creds;
	struct ike_daemon d;
	struct sockaddr_in addr;	/* what it believes its address is */
	struct inst inst[MAXINST];
	unsigned n_inst, n_del;
	char log[32768];
	bool refuse_install;
};

struct pkt {
	uint8_t buf[IKE_MAX_MSG];
	size_t len;
	struct sockaddr_in from, to;
};

static struct node moon, sun;
static struct pkt queue[MAXPKT];
static unsigned qlen, sent_total, init_requests;
static uint64_t now_ms = 1000000;
/* Network behaviour: return 0 deliver, 1 drop, 2 duplicate. */
static int (*filter)(const struct pkt *p, unsigned n);
static bool nat;	/* moon is 10.0.0.1 behind a NAT showing 192.0.2.1 */
static bool small_frags;	/* start(): IKE fragments of 200-octet packets */
static size_t max_sent;		/* largest datagram after IKE_SA_INIT */
static bool quiet = true;

static void __attribute__((format(printf, 3, 4)))
io_log(void *ctx, int level, const char *fmt, ...)
{
	struct node *n = ctx;
	size_t off = strlen(n->log);
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!quiet || getenv("IKE_TEST_VERBOSE"))
		printf("#   %s %d: %s\n", n->name, level, line);
	if (off + strlen(line) + 2 < sizeof(n->log))
		snprintf(n->log + off, sizeof(n->log) - off, "%s\n", line);
}

static uint64_t io_now(void *ctx)
{
	(void)ctx;
	return now_ms;
}

/*
 * IKE_TEST_CORPUS=DIR writes the first datagrams of the run as seeds for
 * fuzz_ike_sa (tests/corpus-ike-sa): its first byte picks the victim,
 * even for requests (a responder), odd for responses (an initiator).
 */
static void dump_seed(const uint8_t *buf, size_t len)
{
	static unsigned n;
	const char *dir = getenv("IKE_TEST_CORPUS");
	char path[512];
	uint8_t role;
	FILE *f;

	if (!dir || n >= 6 || len < IKEV2_HDR_LEN)
		return;
	snprintf(path, sizeof(path), "%s/seed-%u", dir, n++);
	f = fopen(path, "wb");
	if (!f)
		return;
	role = buf[19] & IKEV2_FLAG_RESPONSE ? 1 : 0;
	fwrite(&role, 1, 1, f);
	fwrite(buf, 1, len, f);
	fclose(f);
}

static int io_send(void *ctx, const uint8_t *buf, size_t len,
		   const struct sockaddr *from, const struct sockaddr *to)
{
	struct pkt *p;

	(void)ctx;
	if (qlen == MAXPKT || len > IKE_MAX_MSG || from->sa_family != AF_INET)
		return -1;
	p = &queue[qlen++];
	memcpy(p->buf, buf, len);
	p->len = len;
	memcpy(&p->from, from, sizeof(p->from));
	memcpy(&p->to, to, sizeof(p->to));
	if (len > 18 && buf[18] == IKEV2_EXCH_IKE_SA_INIT &&
	    !(buf[19] & IKEV2_FLAG_RESPONSE))
		init_requests++;
	if (len > 18 && buf[18] != IKEV2_EXCH_IKE_SA_INIT && len > max_sent)
		max_sent = len;
	sent_total++;
	dump_seed(buf, len);
	return 0;
}

static void copy_key(uint8_t *dst, size_t *len, struct chunk k)
{
	*len = k.len;
	if (k.len)
		memcpy(dst, k.ptr, k.len);
}

static int io_install(void *ctx, const struct ike_child_dir *c)
{
	struct node *n = ctx;
	struct inst *i;

	if (n->refuse_install || n->n_inst == MAXINST)
		return -1;
	i = &n->inst[n->n_inst++];
	i->c = *c;
	if (c->aead_name) {
		copy_key(i->key1, &i->len1, c->aead_key);
	} else {
		copy_key(i->key1, &i->len1, c->enc_key);
		copy_key(i->key2, &i->len2, c->auth_key);
	}
	i->src = *c->sel_src;
	i->dst = *c->sel_dst;
	i->c.sel_src = i->c.sel_dst = NULL;
	i->c.aead_key = i->c.enc_key = i->c.auth_key = CHUNK(NULL, 0);
	return 0;
}

static int io_delete(void *ctx, const char *ifname, uint8_t dir, uint32_t spi,
		     const struct sockaddr *dst)
{
	struct node *n = ctx;

	(void)ifname; (void)dir; (void)spi; (void)dst;
	n->n_del++;
	return 0;
}

static const struct ike_io io = {
	.send = io_send,
	.child_install = io_install,
	.child_delete = io_delete,
	.log = io_log,
	.now = io_now,
};

static void mkaddr(struct sockaddr_in *s, const char *ip, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static uint16_t port_of(const struct sockaddr_in *s)
{
	return ntohs(s->sin_port);
}

/* The NAT in front of moon: 10.0.0.1:P <-> 192.0.2.1:(P + 1000). */
static void nat_out(struct pkt *p)
{
	char ip[16];

	inet_ntop(AF_INET, &p->from.sin_addr, ip, sizeof(ip));
	if (nat && !strcmp(ip, "10.0.0.1"))
		mkaddr(&p->from, "192.0.2.1", (uint16_t)(port_of(&p->from) + 1000));
	inet_ntop(AF_INET, &p->to.sin_addr, ip, sizeof(ip));
	if (nat && !strcmp(ip, "192.0.2.1"))
		mkaddr(&p->to, "10.0.0.1", (uint16_t)(port_of(&p->to) - 1000));
}

static struct node *node_for(const struct sockaddr_in *a)
{
	if (a->sin_addr.s_addr == moon.addr.sin_addr.s_addr)
		return &moon;
	if (a->sin_addr.s_addr == sun.addr.sin_addr.s_addr)
		return &sun;
	return NULL;
}

/* Delivers everything queued (and what that causes). */
static void pump(void)
{
	unsigned steps = 0, n = 0;

	while (qlen && steps++ < 200) {
		struct pkt p = queue[0];
		int action = filter ? filter(&p, n++) : 0;
		struct node *dst;

		memmove(queue, queue + 1, (qlen - 1) * sizeof(queue[0]));
		qlen--;
		if (action == 1)
			continue;
		nat_out(&p);
		dst = node_for(&p.to);
		if (!dst)
			continue;
		ike_sa_recv(&dst->d, p.buf, p.len, (struct sockaddr *)&p.from,
			    (struct sockaddr *)&p.to);
		if (action == 2) {
			ike_sa_recv(&dst->d, p.buf, p.len,
				    (struct sockaddr *)&p.from,
				    (struct sockaddr *)&p.to);
		}
	}
}

/* Runs the network and the clocks until nothing is left to do. */
static void run(void)
{
	int i;

	for (i = 0; i < 40; i++) {
		int64_t a, b, t;

		pump();
		a = ike_daemon_next_timeout(&moon.d);
		b = ike_daemon_next_timeout(&sun.d);
		t = a < 0 ? b : b < 0 ? a : a < b ? a : b;
		if (t < 0)
			break;
		/* Stop once both are established with nothing pending. */
		if (moon.d.sas && moon.d.sas->state == IKE_ESTABLISHED &&
		    !moon.d.sas->req && sun.d.sas &&
		    sun.d.sas->state == IKE_ESTABLISHED && !sun.d.sas->req)
			break;
		if (moon.d.sas && moon.d.sas->state == IKE_DEAD &&
		    (!sun.d.sas || sun.d.sas->state == IKE_DEAD))
			break;
		now_ms += (uint64_t)t;
		ike_daemon_tick(&moon.d);
		ike_daemon_tick(&sun.d);
	}
}

#define CONF_FMT \
	"connections {\n" \
	"  t {\n" \
	"    local_addrs = %s\n" \
	"    remote_addrs = %s\n" \
	"    proposals = %s\n" \
	"    local { auth = psk\n id = %s }\n" \
	"    remote { auth = psk\n id = %s }\n" \
	"    children {\n" \
	"      net {\n" \
	"        local_ts = %s\n" \
	"        remote_ts = %s\n" \
	"        esp_proposals = %s\n" \
	"        interface = esp0\n" \
	"        rekey_time = 50m\n" \
	"        life_time = 1h\n" \
	"      }\n" \
	"    }\n" \
	"  }\n" \
	"}\n" \
	"secrets {\n" \
	"  ike-1 {\n" \
	"    id-a = %s\n" \
	"    id-b = %s\n" \
	"    secret = \"%s\"\n" \
	"  }\n" \
	"}\n"

struct side {
	const char *addr, *peer, *proposals, *id, *peer_id, *local_ts,
		   *remote_ts, *esp, *psk, *psk_id, *psk_id2;
};

static const struct side moon_def = {
	"192.0.2.1", "192.0.2.2", "aes128gcm16-prfsha256-ecp256",
	"moon.example.org", "sun.example.org", "10.1.0.0/16", "10.2.0.0/16",
	"aes128gcm16", "correct horse battery staple", "moon.example.org",
};
static const struct side sun_def = {
	"192.0.2.2", "192.0.2.1", "aes128gcm16-prfsha256-ecp256",
	"sun.example.org", "moon.example.org", "10.2.0.0/16", "10.1.0.0/16",
	"aes128gcm16", "correct horse battery staple", "moon.example.org",
};

static int setup_node(struct node *n, const char *name, const struct side *s,
		      const char *believed_addr)
{
	char text[4096], err[CONF_ERR_LEN];

	memset(n, 0, sizeof(*n));
	n->name = name;
	snprintf(text, sizeof(text), CONF_FMT, s->addr, s->peer, s->proposals,
		 s->id, s->peer_id, s->local_ts, s->remote_ts, s->esp,
		 s->psk_id, s->psk_id2 ? s->psk_id2 : s->id, s->psk);
	if (config_load_text(name, text, strlen(text), &n->cfg, NULL, NULL,
			     err)) {
		printf("# %s: config: %s\n", name, err);
		return -1;
	}
	mkaddr(&n->addr, believed_addr, 500);
	ike_daemon_init(&n->d, &n->cfg, &io, n);
	return 0;
}

static void teardown(void)
{
	ike_daemon_free(&moon.d);
	ike_daemon_free(&sun.d);
	creds_free(&moon.creds);
	creds_free(&sun.creds);
	config_free(&moon.cfg);
	config_free(&sun.cfg);
	qlen = 0;
	filter = NULL;
	nat = false;
	init_requests = 0;
}

/* Sets up both, starts moon's SA and runs the exchange. */
static struct ikesa *start(const struct side *m, const struct side *s)
{
	char err[IKE_LAST_ERROR_LEN];
	struct ikesa *sa;

	if (setup_node(&moon, "moon", m, nat ? "10.0.0.1" : m->addr) ||
	    setup_node(&sun, "sun", s, s->addr))
		return NULL;
	if (small_frags)
		moon.d.frag_size = sun.d.frag_size = 200;
	sa = ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			     (struct sockaddr *)&sun.addr, err);
	if (!sa)
		printf("# initiate: %s\n", err);
	run();
	return sa;
}

static struct inst *find_inst(struct node *n, uint8_t dir)
{
	unsigned i;

	for (i = 0; i < n->n_inst; i++)
		if (n->inst[i].c.dir == dir)
			return &n->inst[i];
	return NULL;
}

static bool ts_eq(const struct ike_ts *a, const struct ike_ts *b)
{
	char x[512], y[512];

	return !strcmp(ts_str(a, x, sizeof(x)), ts_str(b, y, sizeof(y)));
}

static bool same_dir(const struct inst *a, const struct inst *b)
{
	return a && b && a->c.spi == b->c.spi && a->len1 == b->len1 &&
	       !memcmp(a->key1, b->key1, a->len1) && a->len2 == b->len2 &&
	       !memcmp(a->key2, b->key2, a->len2) &&
	       !strcmp(a->c.aead_name ? a->c.aead_name : a->c.enc_name,
		       b->c.aead_name ? b->c.aead_name : b->c.enc_name) &&
	       a->c.esn == b->c.esn &&
	       ts_eq(&a->src, &b->src) && ts_eq(&a->dst, &b->dst);
}

static void show_errors(void)
{
	if (moon.d.sas && moon.d.sas->last_error[0])
		printf("#   moon last_error: %s\n", moon.d.sas->last_error);
	if (sun.d.sas && sun.d.sas->last_error[0])
		printf("#   sun last_error: %s\n", sun.d.sas->last_error);
}

/* Both established, keys mirrored, inbound installed first. */
static bool established(const char *what, const char *want_ts_l,
			const char *want_ts_r, bool esn)
{
	struct ikesa *a = moon.d.sas, *b = sun.d.sas;
	struct inst *mo = find_inst(&moon, ESPTUN_SA_DIR_OUT);
	struct inst *mi = find_inst(&moon, ESPTUN_SA_DIR_IN);
	struct inst *so = find_inst(&sun, ESPTUN_SA_DIR_OUT);
	struct inst *si = find_inst(&sun, ESPTUN_SA_DIR_IN);
	char tl[256] = "", tr[256] = "";
	bool ok;

	ok = a && b && a->state == IKE_ESTABLISHED &&
	     b->state == IKE_ESTABLISHED;
	check(ok, "%s: both IKE SAs ESTABLISHED (%s, %s)", what,
	      a ? ikesa_state_name(a->state) : "none",
	      b ? ikesa_state_name(b->state) : "none");
	if (!ok) {
		show_errors();
		return false;
	}
	check(moon.n_inst == 2 && sun.n_inst == 2 &&
	      moon.inst[0].c.dir == ESPTUN_SA_DIR_IN &&
	      sun.inst[0].c.dir == ESPTUN_SA_DIR_IN,
	      "%s: two Child SA directions each, inbound first", what);
	check(same_dir(mo, si) && same_dir(so, mi),
	      "%s: moon's outbound == sun's inbound and back (SPI, keys, algorithm, selectors)",
	      what);
	check(mo && mi && mo->c.spi == b->child.spi_in &&
	      mi->c.spi == a->child.spi_in && mo->c.spi != mi->c.spi &&
	      mo->c.spi >= 256 && mi->c.spi >= 256, "%s: SPIs %08x/%08x", what,
	      mo ? mo->c.spi : 0, mi ? mi->c.spi : 0);
	ts_str(&a->child.ts_local, tl, sizeof(tl));
	ts_str(&a->child.ts_remote, tr, sizeof(tr));
	check(!strcmp(tl, want_ts_l) && !strcmp(tr, want_ts_r),
	      "%s: narrowed selectors %s === %s", what, tl, tr);
	check(ts_eq(&a->child.ts_local, &b->child.ts_remote) &&
	      ts_eq(&a->child.ts_remote, &b->child.ts_local),
	      "%s: selectors mirrored", what);
	check(mo && si && mo->c.esn == esn && si->c.esn == esn &&
	      a->child.esn == esn && b->child.esn == esn, "%s: ESN %s", what,
	      esn ? "on" : "off");
	check(mo && mo->c.soft_time == 3000 && mo->c.hard_time == 3600 &&
	      mo->c.interface && !strcmp(mo->c.interface, "esp0"),
	      "%s: lifetimes and interface passed on", what);
	return true;
}

static void test_proposals(void)
{
	static const struct { const char *ike, *esp; } v[] = {
		{ "aes128gcm16-prfsha256-ecp256", "aes128gcm16" },
		{ "aes256gcm16-prfsha384-ecp384", "aes256gcm16-esn" },
		{ "chacha20poly1305-prfsha256-x25519", "chacha20poly1305" },
		{ "aes128-sha256-modp2048", "aes128-sha256" },
		{ "aes256-sha512-curve448", "aes256-sha512-esn" },
	};
	size_t i;

	for (i = 0; i < N(v); i++) {
		struct side m = moon_def, s = sun_def;
		char what[128];

		m.proposals = s.proposals = v[i].ike;
		m.esp = s.esp = v[i].esp;
		snprintf(what, sizeof(what), "%s/%s", v[i].ike, v[i].esp);
		start(&m, &s);
		if (established(what, "10.1.0.0/16", "10.2.0.0/16",
				strstr(v[i].esp, "-esn") != NULL)) {
			struct inst *mo = find_inst(&moon, ESPTUN_SA_DIR_OUT);

			if (strstr(v[i].esp, "gcm"))
				check(mo->c.aead_name &&
				      !strcmp(mo->c.aead_name, "rfc4106(gcm(aes))") &&
				      mo->c.aead_icv_bits == 128 &&
				      mo->len1 == (strstr(v[i].esp, "256") ? 36u : 20u),
				      "%s: AES-GCM key with salt", what);
			else if (strstr(v[i].esp, "chacha"))
				check(mo->c.aead_name && mo->len1 == 36 &&
				      !strcmp(mo->c.aead_name, "rfc7539esp(chacha20,poly1305)"),
				      "%s: ChaCha20-Poly1305 key with salt", what);
			else
				check(mo->c.enc_name && !strcmp(mo->c.enc_name, "cbc(aes)") &&
				      mo->c.auth_name && mo->len2 >= 32 &&
				      mo->c.auth_trunc_bits == mo->len2 * 4,
				      "%s: AES-CBC with HMAC %s/%u", what,
				      mo->c.auth_name ? mo->c.auth_name : "?",
				      mo->c.auth_trunc_bits);
			check(init_requests == 1, "%s: one IKE_SA_INIT request", what);
		}
		teardown();
	}
}

static void test_narrowing(void)
{
	struct side m = moon_def, s = sun_def;

	m.local_ts = "10.1.0.0/16";
	m.remote_ts = "10.2.0.0/16, 10.3.0.0/16";
	s.remote_ts = "10.1.5.0/24";
	s.local_ts = "10.3.0.0/24, 10.4.0.0/16";
	start(&m, &s);
	established("narrowing", "10.1.5.0/24", "10.3.0.0/24", false);
	teardown();
}

static void test_invalid_ke(void)
{
	struct side m = moon_def, s = sun_def;
	uint8_t spi[8];

	m.proposals = "aes128gcm16-prfsha256-ecp256-x25519";
	s.proposals = "aes128gcm16-prfsha256-x25519";
	start(&m, &s);
	if (established("INVALID_KE retry", "10.1.0.0/16", "10.2.0.0/16",
			false)) {
		memcpy(spi, moon.d.sas->spi_i, 8);
		check(init_requests == 2 && moon.d.sas->dh_group == 31 &&
		      !memcmp(sun.d.sas->spi_i, spi, 8),
		      "INVALID_KE: second IKE_SA_INIT with x25519, same SPIi");
		check(strstr(sun.log, "INVALID_KE_PAYLOAD") &&
		      strstr(moon.log, "retrying"), "INVALID_KE: logged on both sides");
	}
	teardown();
}

/* Drops the n-th datagram that matches an exchange and direction. */
static uint8_t drop_exch, drop_resp;
static unsigned drop_count, drop_seen;
static int drop_filter(const struct pkt *p, unsigned n)
{
	(void)n;
	if (p->buf[18] == drop_exch &&
	    !!(p->buf[19] & IKEV2_FLAG_RESPONSE) == drop_resp &&
	    drop_seen++ < drop_count)
		return 1;
	return 0;
}

static int dup_filter(const struct pkt *p, unsigned n)
{
	(void)p; (void)n;
	return 2;
}

static void test_loss(void)
{
	static const struct { uint8_t exch, resp; const char *what; } v[] = {
		{ IKEV2_EXCH_IKE_SA_INIT, 0, "lost IKE_SA_INIT request" },
		{ IKEV2_EXCH_IKE_SA_INIT, 1, "lost IKE_SA_INIT response" },
		{ IKEV2_EXCH_IKE_AUTH, 0, "lost IKE_AUTH request" },
		{ IKEV2_EXCH_IKE_AUTH, 1, "lost IKE_AUTH response (x2)" },
	};
	size_t i;

	for (i = 0; i < N(v); i++) {
		drop_exch = v[i].exch;
		drop_resp = v[i].resp;
		drop_seen = 0;
		drop_count = i == 3 ? 2 : 1;
		filter = drop_filter;
		start(&moon_def, &sun_def);
		established(v[i].what, "10.1.0.0/16", "10.2.0.0/16", false);
		check(strstr(moon.log, "retransmit 1 of") != NULL,
		      "%s: moon retransmitted", v[i].what);
		if (v[i].resp)
			check(strstr(sun.log, "resending our response") != NULL,
			      "%s: sun answered from its response cache",
			      v[i].what);
		teardown();
	}
	filter = dup_filter;
	start(&moon_def, &sun_def);
	established("every datagram duplicated", "10.1.0.0/16", "10.2.0.0/16",
		    false);
	check(strstr(sun.log, "resending our response") != NULL,
	      "duplicates: answered from the response cache");
	teardown();
}

static void test_give_up(void)
{
	drop_exch = IKEV2_EXCH_IKE_SA_INIT;
	drop_resp = 0;
	drop_seen = 0;
	drop_count = 100;
	filter = drop_filter;
	start(&moon_def, &sun_def);
	check(moon.d.sas && moon.d.sas->state == IKE_DEAD &&
	      strstr(moon.d.sas->last_error, "no response to our IKE_SA_INIT request after 5 retransmits"),
	      "unreachable peer: %s", moon.d.sas ? moon.d.sas->last_error : "");
	check(init_requests == 6, "unreachable peer: 1 + 5 transmissions (%u)",
	      init_requests);
	teardown();
}

static void test_half_open(void)
{
	char err[IKE_LAST_ERROR_LEN];

	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			(struct sockaddr *)&sun.addr, err);
	drop_exch = IKEV2_EXCH_IKE_SA_INIT;
	drop_resp = 1;
	drop_seen = 0;
	drop_count = 100;
	filter = drop_filter;
	pump();
	check(sun.d.sas && sun.d.sas->state == IKE_SA_INIT_DONE &&
	      ike_daemon_next_timeout(&sun.d) == IKE_HALF_OPEN_MS,
	      "half-open SA armed");
	now_ms += IKE_HALF_OPEN_MS;
	ike_daemon_tick(&sun.d);
	check(sun.d.sas && sun.d.sas->state == IKE_DEAD &&
	      strstr(sun.d.sas->last_error, "half-open"),
	      "half-open SA times out: %s", sun.d.sas ? sun.d.sas->last_error : "");
	teardown();
}

static unsigned count_sas(const struct ike_daemon *d, enum ikesa_state st)
{
	const struct ikesa *sa;
	unsigned n = 0;

	for (sa = d->sas; sa; sa = sa->next)
		n += sa->state == st;
	return n;
}

/*
 * Sends moon's next IKE_SA_INIT request to sun from moon's address and
 * source port `port`; returns whether sun answered.
 */
static bool flood_one(uint16_t port)
{
	char err[IKE_LAST_ERROR_LEN];
	struct sockaddr_in from = moon.addr;
	struct pkt p;
	bool answered;

	qlen = 0;
	if (!ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			     (struct sockaddr *)&sun.addr, err) || !qlen)
		return false;
	p = queue[0];
	qlen = 0;
	from.sin_port = htons(port);
	ike_sa_recv(&sun.d, p.buf, p.len, (struct sockaddr *)&from,
		    (struct sockaddr *)&sun.addr);
	answered = qlen > 0;
	qlen = 0;
	return answered;
}

/* What initiators that never authenticate can make a responder hold. */
static void test_unauth_bounds(void)
{
	static const struct side moon_x25519 = {
		"192.0.2.1", "192.0.2.2", "aes256-sha256-x25519",
		"moon.example.org", "sun.example.org", "10.1.0.0/16",
		"10.2.0.0/16", "aes128gcm16", "correct horse battery staple",
		"moon.example.org",
	};
	unsigned i, answered = 0;
	struct ikesa *sa;
	bool all_np = true;

	/* One address, from changing ports, COOKIEs off: 5 half-open. */
	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	check(sun.d.block_threshold == IKE_BLOCK_THRESHOLD &&
	      sun.d.half_open_max == IKE_HALF_OPEN_MAX &&
	      sun.d.failed_unauth_max == IKE_FAILED_UNAUTH_MAX,
	      "bounds: defaults %u %u %u", sun.d.block_threshold,
	      sun.d.half_open_max, sun.d.failed_unauth_max);
	sun.d.cookie_threshold = 1000;
	for (i = 0; i < 12; i++)
		answered += flood_one((uint16_t)(1024 + i));
	check(answered == IKE_BLOCK_THRESHOLD &&
	      count_sas(&sun.d, IKE_SA_INIT_DONE) == IKE_BLOCK_THRESHOLD,
	      "bounds: one address gets %u half-open SAs, the rest unanswered (%u answered, %u half-open)",
	      IKE_BLOCK_THRESHOLD, answered, count_sas(&sun.d, IKE_SA_INIT_DONE));
	check(strstr(sun.log, "dropped: 5 half-open IKE SAs from that address already (at most 5)") != NULL,
	      "bounds: the drop is logged with the limit");
	/* They time out (failed, unauthenticated): room again. */
	now_ms += IKE_HALF_OPEN_MS;
	ike_daemon_tick(&sun.d);
	check(count_sas(&sun.d, IKE_SA_INIT_DONE) == 0 && flood_one(2000),
	      "bounds: after the half-open timeout the address is answered again");
	teardown();

	/* All addresses together: half_open_max. */
	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	sun.d.cookie_threshold = 1000;
	sun.d.block_threshold = 100;
	sun.d.half_open_max = 3;
	for (answered = 0, i = 0; i < 6; i++)
		answered += flood_one((uint16_t)(1024 + i));
	check(answered == 3 && count_sas(&sun.d, IKE_SA_INIT_DONE) == 3 &&
	      strstr(sun.log, "dropped: 3 half-open IKE SAs already (at most 3)"),
	      "bounds: half_open_max caps them all (%u answered)", answered);
	teardown();

	/* Failed IKE_SA_INITs (no common proposal) are kept for `list`,
	 * the newest IKE_FAILED_UNAUTH_MAX of them. */
	if (setup_node(&moon, "moon", &moon_x25519, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	for (answered = 0, i = 0; i < 40; i++)
		answered += flood_one((uint16_t)(1024 + i));
	for (sa = sun.d.sas; sa; sa = sa->next)
		if (!strstr(sa->last_error, "proposal"))
			all_np = false;
	check(answered == 40 &&
	      count_sas(&sun.d, IKE_DEAD) == IKE_FAILED_UNAUTH_MAX && all_np &&
	      sun.d.sas && port_of((struct sockaddr_in *)&sun.d.sas->remote) == 1024 + 39,
	      "bounds: 40 refused IKE_SA_INITs answered, the newest %u kept (%u)",
	      IKE_FAILED_UNAUTH_MAX, count_sas(&sun.d, IKE_DEAD));
	teardown();
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Delivers one datagram straight to a node; returns ike_sa_recv()'s
 * answer and leaves whatever the node sent in the queue. */
static int inject(struct node *to, const uint8_t *buf, size_t len)
{
	struct node *from = to == &moon ? &sun : &moon;

	return ike_sa_recv(&to->d, buf, len, (struct sockaddr *)&from->addr,
			   (struct sockaddr *)&to->addr);
}

/* The responder asks for a cookie (as a loaded strongSwan would). */
static void test_cookie(void)
{
	static const uint8_t cookie[] = "0123456789abcdef-cookie";
	char err[IKE_LAST_ERROR_LEN];
	struct ike_msg h, m;
	struct ike_notify n;
	struct ike_err e;
	struct ike_buf b;
	struct ikesa *sa;
	uint8_t out[256];
	long len;

	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	sa = ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			     (struct sockaddr *)&sun.addr, err);
	if (!sa || qlen != 1)
		goto out;
	qlen = 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, sa->spi_i, 8);
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_RESPONSE;
	ike_buf_init(&b, out, sizeof(out));
	ike_buf_hdr(&b, &h);
	n = (struct ike_notify){ .type = IKEV2_N_COOKIE,
				 .data = { cookie, sizeof(cookie) } };
	ike_buf_notify(&b, &n);
	len = ike_buf_finish(&b);
	ike_sa_recv(&moon.d, out, (size_t)len, (struct sockaddr *)&sun.addr,
		    (struct sockaddr *)&moon.addr);
	check(qlen == 1 && !ike_msg_parse(queue[0].buf, queue[0].len, &m, &e) &&
	      m.pl[0].type == IKEV2_PL_NOTIFY &&
	      !ike_pl_notify(&m.pl[0], &n, &e) && n.type == IKEV2_N_COOKIE &&
	      n.data.len == sizeof(cookie) &&
	      !memcmp(n.data.p, cookie, sizeof(cookie)) &&
	      !memcmp(m.spi_i, sa->spi_i, 8),
	      "COOKIE echoed first in the repeated IKE_SA_INIT, same SPIi");
	check(ike_msg_find_notify(&m, IKEV2_N_NAT_DETECTION_SOURCE_IP) &&
	      ike_msg_find_notify(&m, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED),
	      "IKE_SA_INIT announces NAT detection and IKE fragmentation");
	run();
	established("after COOKIE", "10.1.0.0/16", "10.2.0.0/16", false);
out:
	teardown();
}


static bool has_error(struct node *n, const char *s)
{
	return n->d.sas && strstr(n->d.sas->last_error, s);
}

/* The first payload of the only queued datagram, if it is a COOKIE. */
static bool queued_cookie(struct ike_notify *n)
{
	struct ike_msg m;
	struct ike_err e;

	return qlen == 1 && !ike_msg_parse(queue[0].buf, queue[0].len, &m, &e) &&
	       m.n == 1 && m.pl[0].type == IKEV2_PL_NOTIFY &&
	       !ike_pl_notify(&m.pl[0], n, &e) && n->type == IKEV2_N_COOKIE &&
	       (m.flags & IKEV2_FLAG_RESPONSE) &&
	       !memcmp(m.spi_r, "\0\0\0\0\0\0\0\0", 8);
}

/* The responder's side of COOKIEs: stateless answers under load. */
static void test_cookie_responder(void)
{
	char err[IKE_LAST_ERROR_LEN];
	struct ike_notify n;
	struct pkt genuine, forged;
	struct ikesa *sa, *sa2;
	uint8_t first[IKE_COOKIE_LEN];

	/* Threshold 0: every new IKE SA needs a COOKIE. */
	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	sun.d.cookie_threshold = 0;
	sa = ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			     (struct sockaddr *)&sun.addr, err);
	if (!sa || qlen != 1)
		goto out;
	genuine = queue[0];
	qlen = 0;
	inject(&sun, genuine.buf, genuine.len);
	check(queued_cookie(&n) && n.data.len == IKE_COOKIE_LEN && !sun.d.sas,
	      "cookie: request without COOKIE answered with one, no state kept");
	memcpy(first, n.data.p, IKE_COOKIE_LEN);
	qlen = 0;
	inject(&sun, genuine.buf, genuine.len);
	check(queued_cookie(&n) && !memcmp(n.data.p, first, IKE_COOKIE_LEN) &&
	      !sun.d.sas, "cookie: the same request gets the same COOKIE");
	/* moon echoes it */
	forged = queue[0];
	qlen = 0;
	inject(&moon, forged.buf, forged.len);
	check(qlen == 1 && sa->cookie_len == IKE_COOKIE_LEN &&
	      !memcmp(sa->cookie, first, IKE_COOKIE_LEN),
	      "cookie: moon sends it back");
	genuine = queue[0];
	forged = genuine;
	forged.buf[IKEV2_HDR_LEN + 8 + 10] ^= 0x40;
	qlen = 0;
	inject(&sun, forged.buf, forged.len);
	check(queued_cookie(&n) && !sun.d.sas &&
	      strstr(sun.log, "stale or forged COOKIE"),
	      "cookie: a forged COOKIE gets a new COOKIE, no state");
	qlen = 0;
	/* A rotated secret: cookies from the previous one still count. */
	now_ms += IKE_COOKIE_SECRET_MS;
	inject(&sun, forged.buf, forged.len);
	check(sun.d.cookie_version == 1 && !sun.d.sas,
	      "cookie: secret rotated after %d s", IKE_COOKIE_SECRET_MS / 1000);
	qlen = 0;
	inject(&sun, genuine.buf, genuine.len);
	check(sun.d.sas && sun.d.sas->state == IKE_SA_INIT_DONE &&
	      queue[0].len > 100,
	      "cookie: the previous secret's COOKIE is accepted");
	qlen = 0;
	/* Let that SA time out and be reaped, rotate again: now stale. */
	now_ms += IKE_HALF_OPEN_MS;
	ike_daemon_tick(&sun.d);
	now_ms += IKE_DEAD_LINGER_MS;
	ike_daemon_tick(&sun.d);
	now_ms += IKE_COOKIE_SECRET_MS;
	inject(&sun, forged.buf, forged.len);
	qlen = 0;
	inject(&sun, genuine.buf, genuine.len);
	check(sun.d.cookie_version == 2 && queued_cookie(&n) && !sun.d.sas,
	      "cookie: two secrets later it is refused");
	teardown();

	/* The default threshold, lowered to 1: the second half-open SA
	 * needs a COOKIE, and the exchange completes with it. */
	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	check(sun.d.cookie_threshold == IKE_COOKIE_THRESHOLD,
	      "cookie: default threshold %u", sun.d.cookie_threshold);
	sun.d.cookie_threshold = 1;
	ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			(struct sockaddr *)&sun.addr, err);
	inject(&sun, queue[0].buf, queue[0].len);
	qlen = 0;
	check(sun.d.sas && sun.d.sas->state == IKE_SA_INIT_DONE,
	      "cookie: first SA half-open without COOKIE");
	sa2 = ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			      (struct sockaddr *)&sun.addr, err);
	genuine = queue[0];
	qlen = 0;
	inject(&sun, genuine.buf, genuine.len);
	check(queued_cookie(&n) && sun.d.sas && !sun.d.sas->next,
	      "cookie: the second one is asked for a COOKIE");
	init_requests = 0;
	run();
	check(sa2 && sa2->state == IKE_ESTABLISHED && sun.d.sas &&
	      sun.d.sas->state == IKE_ESTABLISHED && init_requests == 1,
	      "cookie: established with the COOKIE echoed");
out:
	teardown();
}

/* An initiator does not follow COOKIEs forever. */
static void test_cookie_loop(void)
{
	static const uint8_t cookie[] = "cookie";
	char err[IKE_LAST_ERROR_LEN];
	struct ike_msg h;
	struct ike_notify n;
	struct ike_buf b;
	struct ikesa *sa;
	uint8_t out[256];
	long len;
	int i;

	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	sa = ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			     (struct sockaddr *)&sun.addr, err);
	if (!sa)
		goto out;
	for (i = 0; i < 4; i++) {
		qlen = 0;
		memset(&h, 0, sizeof(h));
		memcpy(h.spi_i, sa->spi_i, 8);
		h.exchange = IKEV2_EXCH_IKE_SA_INIT;
		h.flags = IKEV2_FLAG_RESPONSE;
		ike_buf_init(&b, out, sizeof(out));
		ike_buf_hdr(&b, &h);
		n = (struct ike_notify){ .type = IKEV2_N_COOKIE,
					 .data = { cookie, sizeof(cookie) } };
		ike_buf_notify(&b, &n);
		len = ike_buf_finish(&b);
		inject(&moon, out, (size_t)len);
	}
	check(sa->state == IKE_DEAD && qlen == 0 &&
	      has_error(&moon, "keeps asking for a COOKIE (3 times)"),
	      "cookie: the initiator gives up after 3 COOKIEs: %s",
	      sa->last_error);
out:
	teardown();
}

static void test_auth_failures(void)
{
	struct side m = moon_def, s = sun_def;

	s.psk = "wrong";
	start(&m, &s);
	check(sun.d.sas && sun.d.sas->state == IKE_DEAD &&
	      has_error(&sun, "PSK mismatch (AUTH payload did not verify)"),
	      "wrong PSK: responder says PSK mismatch");
	check(moon.d.sas && moon.d.sas->state == IKE_DEAD &&
	      has_error(&moon, "AUTHENTICATION_FAILED") &&
	      has_error(&moon, "pre-shared key"),
	      "wrong PSK: initiator infers from AUTHENTICATION_FAILED");
	check(moon.n_inst == 0 && sun.n_inst == 0, "wrong PSK: no Child SA");
	show_errors();
	teardown();

	s = sun_def;
	s.psk_id = "carol.example.org";
	s.psk_id2 = "venus.example.org";
	start(&m, &s);
	check(has_error(&sun, "no PSK for ID moon.example.org"),
	      "no PSK: responder names the ID");
	check(has_error(&moon, "AUTHENTICATION_FAILED"),
	      "no PSK: initiator sees AUTHENTICATION_FAILED");
	show_errors();
	teardown();

	s = sun_def;
	s.peer_id = "carol.example.org";
	start(&m, &s);
	check(has_error(&sun, "ID mismatch: expected carol.example.org, got moon.example.org"),
	      "ID mismatch on the responder");
	show_errors();
	teardown();

	/* The initiator checks the responder's ID. */
	m.peer_id = "venus.example.org";
	start(&m, &sun_def);
	check(has_error(&moon, "ID mismatch: expected venus.example.org, got sun.example.org"),
	      "ID mismatch on the initiator");
	check(sun.d.sas && sun.d.sas->state == IKE_DEAD &&
	      has_error(&sun, "peer refused our authentication"),
	      "the responder learns it from INFORMATIONAL AUTHENTICATION_FAILED");
	show_errors();
	teardown();
}

static void test_no_proposal(void)
{
	struct side m = moon_def, s = sun_def;

	m.proposals = "aes128-sha256-modp2048";
	s.proposals = "aes128-sha256-ecp256";
	start(&m, &s);
	check(has_error(&sun, "DH: peer offers only modp2048; we offer ecp256") &&
	      has_error(&sun, "aes128-sha256-prfsha256-modp2048") &&
	      has_error(&sun, "aes128-sha256-prfsha256-ecp256"),
	      "IKE proposal mismatch: responder names DH and both lists");
	check(has_error(&moon, "NO_PROPOSAL_CHOSEN") &&
	      has_error(&moon, "aes128-sha256-prfsha256-modp2048"),
	      "IKE proposal mismatch: initiator lists what it offered");
	show_errors();
	teardown();

	m = moon_def;
	s = sun_def;
	m.esp = "aes128-sha256";
	s.esp = "aes256gcm16";
	start(&m, &s);
	check(has_error(&sun, "ENCR: peer offers only aes128; we offer aes256gcm16"),
	      "ESP proposal mismatch: responder names ENCR");
	check(has_error(&moon, "NO_PROPOSAL_CHOSEN") &&
	      has_error(&moon, "esp_proposals"),
	      "ESP proposal mismatch: initiator says so");
	check(moon.d.sas && moon.d.sas->state == IKE_DEAD && sun.d.sas &&
	      sun.d.sas->state == IKE_DEAD,
	      "ESP proposal mismatch: the IKE SA is closed on both sides");
	show_errors();
	teardown();
}

static void test_ts_unacceptable(void)
{
	struct side m = moon_def, s = sun_def;

	s.remote_ts = "10.9.0.0/16";
	start(&m, &s);
	check(has_error(&sun, "TS_UNACCEPTABLE") &&
	      has_error(&sun, "TSi 10.1.0.0/16") &&
	      has_error(&sun, "TSr 10.2.0.0/16") &&
	      has_error(&sun, "remote_ts 10.9.0.0/16") &&
	      has_error(&sun, "local_ts 10.2.0.0/16"),
	      "TS_UNACCEPTABLE: responder shows both sets");
	check(has_error(&moon, "TS_UNACCEPTABLE") &&
	      has_error(&moon, "local_ts 10.1.0.0/16") &&
	      has_error(&moon, "remote_ts 10.2.0.0/16"),
	      "TS_UNACCEPTABLE: initiator shows what it proposed");
	check(moon.n_inst == 0 && sun.n_inst == 0, "TS_UNACCEPTABLE: no Child SA");
	show_errors();
	teardown();
}

static void test_delete_and_liveness(void)
{
	struct ikesa *sa = start(&moon_def, &sun_def);

	if (!established("delete", "10.1.0.0/16", "10.2.0.0/16", false))
		goto out;
	check(!ike_sa_liveness(sa), "liveness request sent");
	pump();
	check(sa->state == IKE_ESTABLISHED && !sa->req && sa->my_next_id == 3,
	      "liveness answered");
	check(!ike_sa_delete_child(sun.d.sas), "Child SA delete sent by the responder");
	pump();
	check(!sa->child.installed && !sun.d.sas->child.installed &&
	      moon.n_del == 2 && sun.n_del == 2 && sa->state == IKE_ESTABLISHED &&
	      sun.d.sas->state == IKE_ESTABLISHED,
	      "Child SA removed from both kernels, IKE SA stays");
	check(!ike_sa_delete(sa), "delete sent");
	pump();
	check(sa->state == IKE_DEAD && sun.d.sas->state == IKE_DEAD &&
	      moon.n_del == 2 && sun.n_del == 2,
	      "IKE SA deleted on both sides");
	now_ms += IKE_DEAD_LINGER_MS;
	ike_daemon_tick(&moon.d);
	ike_daemon_tick(&sun.d);
	check(!moon.d.sas && !sun.d.sas, "dead SAs reaped");
out:
	teardown();
}

static void test_nat(void)
{
	struct ikesa *sa;

	nat = true;
	sa = start(&moon_def, &sun_def);
	if (!established("NAT", "10.1.0.0/16", "10.2.0.0/16", false))
		goto out;
	check(sa->nat_local && !sa->nat_remote && sun.d.sas->nat_remote &&
	      !sun.d.sas->nat_local, "NAT detected on both sides");
	check(port_of((struct sockaddr_in *)&sa->local) == 4500 &&
	      port_of((struct sockaddr_in *)&sa->remote) == 4500 &&
	      port_of((struct sockaddr_in *)&sun.d.sas->remote) == 5500,
	      "initiator floated to 4500, responder follows the NAT's port");
	check(find_inst(&moon, ESPTUN_SA_DIR_OUT)->c.encap_sport == 4500 &&
	      find_inst(&moon, ESPTUN_SA_DIR_OUT)->c.encap_dport == 4500 &&
	      find_inst(&sun, ESPTUN_SA_DIR_OUT)->c.encap_dport == 5500,
	      "ESP in UDP with the floated ports");
	check(!ike_sa_delete(sa), "NAT: IKE SA delete sent over 4500");
	pump();
	check(sa->state == IKE_DEAD && sun.d.sas->state == IKE_DEAD &&
	      moon.n_del == 2 && sun.n_del == 2,
	      "NAT: deleting the IKE SA removes its Child SA on both sides");
out:
	teardown();
}

/* Message IDs outside the window, unexpected responses and garbage with
 * the right SPIs reach an established SA and change nothing. */
static void test_window(void)
{
	struct ikesa *a, *b;
	struct pkt req, resp;
	uint8_t buf[IKE_MAX_MSG];
	uint32_t a_my, a_peer, b_my, b_peer;
	unsigned i, ninst;
	bool same = true;

	start(&moon_def, &sun_def);
	if (!established("window", "10.1.0.0/16", "10.2.0.0/16", false))
		goto out;
	a = moon.d.sas;
	b = sun.d.sas;
	a_my = a->my_next_id;
	a_peer = a->peer_next_id;
	b_my = b->my_next_id;
	b_peer = b->peer_next_id;
	ninst = moon.n_inst + sun.n_inst;
	check(a_my == 2 && b_peer == 2 && b_my == 0 && a_peer == 0,
	      "window: message IDs after IKE_AUTH (moon next %u, sun expects %u)",
	      a_my, b_peer);

	/* A request from the future, and one from the past that is not
	 * the last one answered. */
	ike_sa_liveness(a);
	req = queue[0];
	qlen = 0;
	memcpy(buf, req.buf, req.len);
	put32(buf + 20, 7);
	check(inject(&sun, buf, req.len) == -1 && qlen == 0,
	      "window: request with message ID 7 (expected 2) dropped unanswered");
	put32(buf + 20, 0);
	check(inject(&sun, buf, req.len) == -1 && qlen == 0,
	      "window: request with message ID 0 (long answered) dropped unanswered");
	/* The last request answered, but changed: not a retransmission. */
	put32(buf + 20, 1);
	check(inject(&sun, buf, req.len) == -1 && qlen == 0,
	      "window: a different request with the last answered ID is not replayed");
	/* Responses nobody asked for. */
	memcpy(buf, req.buf, req.len);
	buf[19] = IKEV2_FLAG_RESPONSE;
	put32(buf + 20, 9);
	check(inject(&moon, buf, req.len) == -1 && a->req && qlen == 0,
	      "window: response with an unexpected message ID dropped");
	/* Garbage after a valid header: every length, random bytes. */
	for (i = 0; i < 500; i++) {
		size_t len = IKEV2_HDR_LEN + (size_t)(rand() % 300), k;

		memcpy(buf, req.buf, IKEV2_HDR_LEN);
		for (k = IKEV2_HDR_LEN; k < len; k++)
			buf[k] = (uint8_t)rand();
		if (i & 1)
			buf[16] = IKEV2_PL_SK;
		put32(buf + 24, (uint32_t)len);
		put32(buf + 20, i & 2 ? 2 : 1);
		inject(&sun, buf, len);
		buf[19] |= IKEV2_FLAG_RESPONSE;
		inject(&moon, buf, len);
		if (qlen || b->peer_next_id != b_peer || b->state != IKE_ESTABLISHED ||
		    a->state != IKE_ESTABLISHED || !a->req)
			same = false;
		qlen = 0;
	}
	check(same, "window: 500 garbage messages with the SA's SPIs: no answer, no state change");
	check(moon.n_inst + sun.n_inst == ninst && moon.n_del == 0 &&
	      sun.n_del == 0, "window: Child SAs untouched");
	/* The real request still works afterwards. */
	check(inject(&sun, req.buf, req.len) == 0 && qlen == 1 &&
	      b->peer_next_id == b_peer + 1, "window: the genuine request is answered");
	resp = queue[0];
	pump();
	check(!a->req && a->my_next_id == a_my + 1 && a->state == IKE_ESTABLISHED,
	      "window: and its response accepted");
	/* A replayed response: nothing is outstanding any more. */
	check(inject(&moon, resp.buf, resp.len) == -1 && qlen == 0 &&
	      a->my_next_id == a_my + 1, "window: replayed response dropped");
out:
	teardown();
}

/* ---- certificates ---- */

/* Keys and certificates made for this run, as PEM files under
 * certdir/{x509,x509ca,private}, the layout creds_load() expects. */
static char certdir[64];

static EVP_PKEY *gen_key(const char *kind)
{
	if (!strcmp(kind, "rsa"))
		return EVP_RSA_gen(2048);
	if (!strcmp(kind, "p256"))
		return EVP_EC_gen("P-256");
	if (!strcmp(kind, "p384"))
		return EVP_EC_gen("P-384");
	return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
}

/* A certificate for key, signed by ca_key (itself if ca is NULL). */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *ca,
		       EVP_PKEY *ca_key, const char *san)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	bool is_ca = !ca;
	const EVP_MD *md = EVP_PKEY_get_base_id(ca_key) == EVP_PKEY_ED25519 ?
			   NULL : EVP_sha256();

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
				   (const unsigned char *)"CH", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"esptun", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, ca ? ca : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
				  is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (is_ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
					  "critical,keyCertSign,cRLSign");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (san) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, ca_key, md);
	X509_NAME_free(name);
	return x;
}

static int write_pem(const char *sub, const char *file, X509 *x,
		     EVP_PKEY *k)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s/%s", certdir, sub, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = x ? PEM_write_X509(f, x) : PEM_write_PrivateKey(f, k, NULL, NULL,
							       0, NULL, NULL);
	fclose(f);
	return ok ? 0 : -1;
}

struct ent {
	const char *name, *kind, *san;
	bool evil;		/* issued by a CA nobody trusts */
	EVP_PKEY *key;
	X509 *cert;
};

static struct ent ents[] = {
	{ "moon-rsa", "rsa", "DNS:moon.example.org" },
	{ "sun-rsa", "rsa", "DNS:sun.example.org, IP:192.0.2.2" },
	{ "moon-p256", "p256", "DNS:moon.example.org" },
	{ "sun-p384", "p384", "DNS:sun.example.org" },
	{ "moon-ed25519", "ed25519", "DNS:moon.example.org, email:moon@example.org" },
	{ "sun-ed25519", "ed25519", "DNS:sun.example.org" },
	{ "sun-evil", "p256", "DNS:sun.example.org", true },
	{ "moon-evil", "p256", "DNS:moon.example.org", true },
};
static EVP_PKEY *ca_key, *evil_key;
static X509 *ca_cert, *evil_cert;

static struct ent *ent(const char *name)
{
	size_t i;

	for (i = 0; i < N(ents); i++)
		if (!strcmp(ents[i].name, name))
			return &ents[i];
	return NULL;
}

static int make_pki(void)
{
	static const char *const subs[] = { "x509", "x509ca", "private" };
	char path[128], file[64];
	size_t i;

	snprintf(certdir, sizeof(certdir), "/tmp/esptun-ike-test.XXXXXX");
	if (!mkdtemp(certdir))
		return -1;
	for (i = 0; i < N(subs); i++) {
		snprintf(path, sizeof(path), "%s/%s", certdir, subs[i]);
		if (mkdir(path, 0700))
			return -1;
	}
	ca_key = gen_key("p256");
	evil_key = gen_key("p256");
	ca_cert = make_cert("esptun Root CA", ca_key, NULL, ca_key, NULL);
	evil_cert = make_cert("evil Root CA", evil_key, NULL, evil_key, NULL);
	if (write_pem("x509ca", "ca.pem", ca_cert, NULL) ||
	    write_pem("x509ca", "evil.pem", evil_cert, NULL))
		return -1;
	for (i = 0; i < N(ents); i++) {
		struct ent *e = &ents[i];
		char cn[64];

		snprintf(cn, sizeof(cn), "%.*s.example.org",
			 (int)strcspn(e->name, "-"), e->name);
		e->key = gen_key(e->kind);
		e->cert = make_cert(cn, e->key, e->evil ? evil_cert : ca_cert,
				    e->evil ? evil_key : ca_key, e->san);
		snprintf(file, sizeof(file), "%s.pem", e->name);
		if (!e->key || !e->cert || write_pem("x509", file, e->cert, NULL) ||
		    write_pem("private", file, NULL, e->key))
			return -1;
	}
	return 0;
}

static void free_pki(void)
{
	char cmd[128];
	size_t i;

	for (i = 0; i < N(ents); i++) {
		EVP_PKEY_free(ents[i].key);
		X509_free(ents[i].cert);
	}
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(evil_key);
	X509_free(ca_cert);
	X509_free(evil_cert);
	if (certdir[0] && strstr(certdir, "/tmp/esptun-ike-test.")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
		if (system(cmd))
			printf("# could not remove %s\n", certdir);
	}
}

struct cside {
	const char *addr, *peer;
	const char *auth, *cert, *id, *remote_auth, *cacert, *peer_id;
};

#define CERT_CONF_FMT \
	"connections {\n" \
	"  t {\n" \
	"    local_addrs = %s\n" \
	"    remote_addrs = %s\n" \
	"    proposals = aes256gcm16-prfsha384-ecp384\n" \
	"    local { auth = %s\n certs = %s.pem\n %s%s%s }\n" \
	"    remote { auth = %s\n cacerts = %s\n %s%s%s }\n" \
	"    children {\n" \
	"      net {\n" \
	"        local_ts = %s\n" \
	"        remote_ts = %s\n" \
	"        esp_proposals = aes128gcm16\n" \
	"        interface = esp0\n" \
	"        rekey_time = 50m\n" \
	"        life_time = 1h\n" \
	"      }\n" \
	"    }\n" \
	"  }\n" \
	"}\n" \
	"secrets {\n" \
	"  private-1 { file = %s.pem }\n" \
	"  ike-1 { secret = \"psk for the mixed case\" }\n" \
	"}\n"

static int setup_cert_node(struct node *n, const char *name,
			   const struct cside *s, bool is_moon)
{
	char text[4096], err[CONF_ERR_LEN];

	memset(n, 0, sizeof(*n));
	n->name = name;
	snprintf(text, sizeof(text), CERT_CONF_FMT, s->addr, s->peer,
		 s->auth, s->cert, s->id ? "id = \"" : "", s->id ? s->id : "",
		 s->id ? "\"" : "", s->remote_auth, s->cacert,
		 s->peer_id ? "id = \"" : "", s->peer_id ? s->peer_id : "",
		 s->peer_id ? "\"" : "", is_moon ? "10.1.0.0/16" : "10.2.0.0/16",
		 is_moon ? "10.2.0.0/16" : "10.1.0.0/16", s->cert);
	if (config_load_text(name, text, strlen(text), &n->cfg, NULL, NULL,
			     err)) {
		printf("# %s: config: %s\n", name, err);
		return -1;
	}
	if (creds_load(&n->creds, &n->cfg, certdir, err)) {
		printf("# %s: credentials: %s\n", name, err);
		return -1;
	}
	mkaddr(&n->addr, s->addr, 500);
	ike_daemon_init(&n->d, &n->cfg, &io, n);
	n->d.creds = &n->creds;
	return 0;
}

static const struct cside moon_cert = {
	"192.0.2.1", "192.0.2.2", "pubkey", "moon-rsa", "moon.example.org",
	"pubkey", "ca.pem", "sun.example.org",
};
static const struct cside sun_cert = {
	"192.0.2.2", "192.0.2.1", "pubkey", "sun-rsa", "sun.example.org",
	"pubkey", "ca.pem", "moon.example.org",
};

static struct ikesa *start_cert(const struct cside *m, const struct cside *s)
{
	char err[IKE_LAST_ERROR_LEN];
	struct ikesa *sa;

	if (setup_cert_node(&moon, "moon", m, true) ||
	    setup_cert_node(&sun, "sun", s, false))
		return NULL;
	sa = ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			     (struct sockaddr *)&sun.addr, err);
	if (!sa)
		printf("# initiate: %s\n", err);
	run();
	return sa;
}

static bool log_has(struct node *n, const char *s)
{
	return strstr(n->log, s) != NULL;
}

/*
 * A peer that fragments (RFC 7383): moon's IKE_AUTH request goes out as
 * SKF fragments, re-encrypted with moon's keys, delivered 3, 1, 3, 2.
 */
static unsigned frag_made;

static bool push_frag(const struct pkt *orig, struct ike_keys *k,
		      uint16_t num, uint16_t total, uint8_t first,
		      const uint8_t *share, size_t slen)
{
	size_t body = sk_body_len(&k->sizes, slen);
	size_t len = IKEV2_HDR_LEN + 8 + body;
	const char *e = NULL;
	struct pkt *q;

	if (qlen == MAXPKT || len > IKE_MAX_MSG)
		return false;
	q = &queue[qlen++];
	*q = *orig;
	q->buf[16] = IKEV2_PL_SKF;
	put32(q->buf + 24, (uint32_t)len);
	q->buf[28] = num == 1 ? first : 0;
	q->buf[29] = 0;
	q->buf[30] = (uint8_t)((8 + body) >> 8);
	q->buf[31] = (uint8_t)(8 + body);
	q->buf[32] = (uint8_t)(num >> 8);
	q->buf[33] = (uint8_t)num;
	q->buf[34] = (uint8_t)(total >> 8);
	q->buf[35] = (uint8_t)total;
	memset(q->buf + 36, 0, body);
	q->len = len;
	return !skf_encrypt(k, true, q->buf, len, IKEV2_HDR_LEN, share, slen,
			    &e);
}

static int frag_filter(const struct pkt *p, unsigned n)
{
	static const uint16_t order[] = { 3, 1, 3, 2 };
	uint8_t plain[IKE_MAX_MSG];
	struct ikesa *sa = moon.d.sas;
	const char *e = NULL;
	size_t plen, part, i;

	(void)n;
	if (p->buf[18] != IKEV2_EXCH_IKE_AUTH || (p->buf[19] & IKEV2_FLAG_RESPONSE) ||
	    p->buf[16] != IKEV2_PL_SK || !sa ||
	    sk_decrypt(&sa->keys, true, p->buf, p->len, IKEV2_HDR_LEN, plain,
		       sizeof(plain), &plen, &e))
		return 0;
	part = (plen + 2) / 3;
	for (i = 0; i < N(order); i++) {
		size_t at = (order[i] - 1) * part;
		size_t sl = at >= plen ? 0 : plen - at < part ? plen - at : part;

		if (!push_frag(p, &sa->keys, order[i], 3, p->buf[28],
			       plain + at, sl))
			return 0;
	}
	frag_made++;
	return 1;
}

static int frag_retx_filter(const struct pkt *p, unsigned n)
{
	if (drop_filter(p, n))
		return 1;
	return frag_filter(p, n);
}

static void test_fragments(void)
{
	frag_made = 0;
	filter = frag_filter;
	start(&moon_def, &sun_def);
	established("IKE_AUTH request in 3 fragments", "10.1.0.0/16",
		    "10.2.0.0/16", false);
	check(frag_made == 1 && log_has(&sun, "IKE_AUTH request 1: reassembled from 3 fragments"),
	      "fragments: sun reassembled moon's IKE_AUTH (%u fragmented)",
	      frag_made);
	teardown();

	/* Both fragment what does not fit into 200-octet packets. */
	small_frags = true;
	max_sent = 0;
	start(&moon_def, &sun_def);
	small_frags = false;
	established("both fragment at 200 octets", "10.1.0.0/16",
		    "10.2.0.0/16", false);
	check(log_has(&moon, "IKE_AUTH request 1: ") &&
	      strstr(moon.log, "fragments") && log_has(&sun, "IKE_AUTH request 1: reassembled from") &&
	      log_has(&sun, "IKE_AUTH response 1: ") && log_has(&moon, "IKE_AUTH response 1: reassembled from"),
	      "fragments: each side fragmented, the other reassembled");
	check(max_sent <= 200 - 28, "fragments: no datagram above 172 octets (%zu)", max_sent);
	teardown();

	/* sun's answer lost: moon's retransmission comes in fragments
	 * again, and fragment 1 alone gets the cached response back. */
	frag_made = 0;
	drop_exch = IKEV2_EXCH_IKE_AUTH;
	drop_resp = 1;
	drop_seen = 0;
	drop_count = 1;
	filter = frag_retx_filter;
	start(&moon_def, &sun_def);
	established("fragmented IKE_AUTH retransmitted", "10.1.0.0/16",
		    "10.2.0.0/16", false);
	check(frag_made == 2 && log_has(&sun, "IKE_AUTH request 1 retransmitted; resending our response"),
	      "fragments: the first fragment of a retransmission gets the response again (%u fragmented)",
	      frag_made);
	teardown();
}

/* Handshakes with certificates of every key type, in both roles. */
static void test_cert_handshakes(void)
{
	static const struct {
		const char *what, *moon, *sun, *moon_auth, *method_at_sun,
			   *method_at_moon;
	} v[] = {
		{ "RSA", "moon-rsa", "sun-rsa", "pubkey", "(AUTH method 14)",
		  "(AUTH method 14)" },
		{ "RSA-PSS/ECDSA P-384", "moon-rsa", "sun-p384", "rsa/pss-sha384",
		  "(AUTH method 14)", "(AUTH method 14)" },
		{ "ECDSA P-256/RSA", "moon-p256", "sun-rsa", "ecdsa",
		  "(AUTH method 14)", "(AUTH method 14)" },
		{ "Ed25519", "moon-ed25519", "sun-ed25519", "pubkey",
		  "(AUTH method 14)", "(AUTH method 14)" },
	};
	size_t i;

	for (i = 0; i < N(v); i++) {
		struct cside m = moon_cert, s = sun_cert;
		char what[128];

		m.cert = v[i].moon;
		m.auth = v[i].moon_auth;
		s.cert = v[i].sun;
		snprintf(what, sizeof(what), "certificates %s", v[i].what);
		start_cert(&m, &s);
		if (established(what, "10.1.0.0/16", "10.2.0.0/16", false)) {
			check(log_has(&sun, "the peer moon.example.org is authenticated by certificate \"C=CH, O=esptun, CN=moon.example.org\"") &&
			      log_has(&sun, v[i].method_at_sun),
			      "%s: sun verified moon's certificate and signature", what);
			check(log_has(&moon, "the peer sun.example.org is authenticated by certificate \"C=CH, O=esptun, CN=sun.example.org\"") &&
			      log_has(&moon, v[i].method_at_moon),
			      "%s: moon verified sun's", what);
		}
		teardown();
	}
}

/* No local.id: the certificate's subject DN is the ID, and remote.id
 * can be that DN written as text. */
static void test_cert_dn_ids(void)
{
	struct cside m = moon_cert, s = sun_cert;

	m.id = NULL;
	m.peer_id = "C=CH, O=esptun, CN=sun.example.org";
	s.id = NULL;
	s.peer_id = "c=CH,o=esptun,  cn=moon.example.org";
	start_cert(&m, &s);
	if (established("DN identities", "10.1.0.0/16", "10.2.0.0/16", false)) {
		check(moon.d.sas->conn && sun.d.sas->conn &&
		      log_has(&moon, "IKE SA established with C=CH, O=esptun, CN=sun.example.org"),
		      "DN identities: logged as text");
		/* `list` shows who authenticated, not the configured text. */
		check(!strcmp(sun.d.sas->peer_id,
			      "C=CH, O=esptun, CN=moon.example.org") &&
		      !strcmp(moon.d.sas->peer_id,
			      "C=CH, O=esptun, CN=sun.example.org"),
		      "DN identities: the peer's ID as authenticated: \"%s\", \"%s\"",
		      sun.d.sas->peer_id, moon.d.sas->peer_id);
	}
	teardown();

	/* A DN that is not the peer's. */
	s = sun_cert;
	m.peer_id = "C=CH, O=esptun, CN=venus.example.org";
	s.id = NULL;
	s.peer_id = NULL;
	start_cert(&m, &s);
	check(has_error(&moon, "ID mismatch: expected C=CH, O=esptun, CN=venus.example.org, got C=CH, O=esptun, CN=sun.example.org"),
	      "DN identities: mismatch names both DNs");
	show_errors();
	teardown();
}

static void test_cert_failures(void)
{
	struct cside m = moon_cert, s = sun_cert;
	char err[IKE_LAST_ERROR_LEN];

	/* sun's certificate comes from a CA moon does not trust */
	s.cert = "sun-evil";
	start_cert(&m, &s);
	check(moon.d.sas && moon.d.sas->state == IKE_DEAD &&
	      has_error(&moon, "untrusted certificate \"C=CH, O=esptun, CN=sun.example.org\": unable to get local issuer certificate") &&
	      has_error(&moon, "remote.cacerts"),
	      "untrusted responder: the initiator says why");
	check(sun.d.sas && sun.d.sas->state == IKE_DEAD &&
	      has_error(&sun, "peer refused our authentication"),
	      "untrusted responder: the responder hears AUTHENTICATION_FAILED");
	check(moon.n_inst == 0 && sun.n_del == sun.n_inst,
	      "untrusted responder: no Child SA left");
	show_errors();
	teardown();

	/* moon's certificate is not trusted by sun */
	m.cert = "moon-evil";
	s = sun_cert;
	start_cert(&m, &s);
	check(has_error(&sun, "untrusted certificate \"C=CH, O=esptun, CN=moon.example.org\": unable to get local issuer certificate"),
	      "untrusted initiator: the responder says why");
	check(has_error(&moon, "AUTHENTICATION_FAILED"),
	      "untrusted initiator: the initiator hears AUTHENTICATION_FAILED");
	check(sun.n_inst == 0 && moon.n_inst == 0,
	      "untrusted initiator: no Child SA");
	show_errors();
	teardown();

	/* trusting the evil CA makes it work: the test can tell */
	m = moon_cert;
	s = sun_cert;
	m.cert = "moon-evil";
	s.cacert = "evil.pem";
	start_cert(&m, &s);
	check(sun.d.sas && sun.d.sas->state == IKE_ESTABLISHED,
	      "the same certificate with its CA in remote.cacerts is accepted");
	teardown();

	/* our ID must be in our certificate */
	m = moon_cert;
	m.id = "venus.example.org";
	if (!setup_cert_node(&moon, "moon", &m, true) &&
	    !setup_cert_node(&sun, "sun", &sun_cert, false)) {
		ike_sa_initiate(&moon.d, "t", NULL,
				(struct sockaddr *)&moon.addr,
				(struct sockaddr *)&sun.addr, err);
		run();
		check(has_error(&moon, "our ID venus.example.org is not in our certificate (subject \"C=CH, O=esptun, CN=moon.example.org\")"),
		      "local.id not in our certificate: %s",
		      moon.d.sas ? moon.d.sas->last_error : "");
	}
	teardown();

	/* the peer's ID must be in its certificate: sun says it is
	 * 192.0.2.2, which sun-rsa has as an IP SAN, but p384 does not */
	m = moon_cert;
	s = sun_cert;
	s.id = "192.0.2.2";
	m.peer_id = "192.0.2.2";
	start_cert(&m, &s);
	check(moon.d.sas && moon.d.sas->state == IKE_ESTABLISHED,
	      "an IP address ID in the certificate's subjectAltName");
	teardown();

	/* PSK against certificates */
	m = moon_cert;
	m.auth = "psk";
	start_cert(&m, &sun_cert);
	check(has_error(&sun, "uses a pre-shared key but remote.auth = pubkey"),
	      "PSK against pubkey: the responder says so");
	show_errors();
	teardown();
	m = moon_cert;
	m.remote_auth = "psk";
	start_cert(&m, &sun_cert);
	check(has_error(&moon, "signs with a certificate (AUTH method 14) but remote.auth = psk"),
	      "pubkey against PSK: the initiator says so");
	show_errors();
	teardown();

	/* remote.auth = ecdsa refuses an RSA key */
	m = moon_cert;
	m.remote_auth = "ecdsa";
	start_cert(&m, &sun_cert);
	check(has_error(&moon, "has a key that remote.auth = ecdsa does not allow"),
	      "remote.auth = ecdsa against an RSA certificate");
	teardown();
}

/* The responder's CERTREQ names our CA by its public key's SHA-1. */
static void test_certreq(void)
{
	char err[IKE_LAST_ERROR_LEN];
	unsigned char *spki = NULL, h[20];
	unsigned int hl = 20;
	struct ike_msg msg;
	struct ike_err e;
	struct ike_cert c;
	const struct ike_pl *pl;
	int l;

	if (setup_cert_node(&moon, "moon", &moon_cert, true) ||
	    setup_cert_node(&sun, "sun", &sun_cert, false))
		goto out;
	ike_sa_initiate(&moon.d, "t", NULL, (struct sockaddr *)&moon.addr,
			(struct sockaddr *)&sun.addr, err);
	inject(&sun, queue[0].buf, queue[0].len);
	l = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca_cert), &spki);
	EVP_Digest(spki, (size_t)l, h, &hl, EVP_sha1(), NULL);
	OPENSSL_free(spki);
	check(qlen == 2 && !ike_msg_parse(queue[1].buf, queue[1].len, &msg, &e) &&
	      (pl = ike_msg_find(&msg, IKEV2_PL_CERTREQ, 0)) &&
	      !ike_pl_cert(pl, &c, &e) &&
	      c.encoding == IKEV2_CERT_X509_SIGNATURE && c.data.len == 20 &&
	      !memcmp(c.data.p, h, 20),
	      "IKE_SA_INIT response carries CERTREQ with SHA-1(CA SPKI)");
out:
	teardown();
}

/* auth.c on its own: every scheme signs and verifies, legacy methods
 * when the peer did not announce RFC 7427, and tampering is caught. */
static void test_auth_schemes(void)
{
	static const struct {
		const char *key, *conf;
		unsigned hashes;
		uint8_t method;
	} v[] = {
		{ "moon-rsa", "pubkey", 0x3c, IKEV2_AUTH_DIGITAL_SIGNATURE },
		{ "moon-rsa", "rsa/pss-sha256", 0x3c, IKEV2_AUTH_DIGITAL_SIGNATURE },
		{ "moon-rsa", "rsa-sha512", 1 << IKEV2_HASH_SHA2_512,
		  IKEV2_AUTH_DIGITAL_SIGNATURE },
		{ "moon-rsa", "pubkey", 0, IKEV2_AUTH_RSA_SIG },
		{ "moon-p256", "pubkey", 0x3c, IKEV2_AUTH_DIGITAL_SIGNATURE },
		{ "moon-p256", "pubkey", 0, IKEV2_AUTH_ECDSA_256 },
		{ "sun-p384", "pubkey", 0, IKEV2_AUTH_ECDSA_384 },
		{ "sun-p384", "pubkey", 1 << IKEV2_HASH_SHA2_256,
		  IKEV2_AUTH_DIGITAL_SIGNATURE },
		{ "moon-ed25519", "pubkey", 1 << IKEV2_HASH_IDENTITY,
		  IKEV2_AUTH_DIGITAL_SIGNATURE },
	};
	static const uint8_t octets[] = "RealMessage1 | NonceRData | MACedIDForI";
	char err[AUTH_ERR_LEN];
	uint8_t method, *sig, bad[sizeof(octets)];
	size_t i, len;

	memcpy(bad, octets, sizeof(bad));
	bad[3] ^= 1;
	for (i = 0; i < N(v); i++) {
		EVP_PKEY *k = ent(v[i].key)->key;
		EVP_PKEY *pub = X509_get0_pubkey(ent(v[i].key)->cert);
		bool ok;

		ok = !auth_sign(k, v[i].conf, v[i].hashes, octets,
				sizeof(octets), &method, &sig, &len, err);
		check(ok && method == v[i].method,
		      "auth: %s %s, peer hashes %#x: method %u", v[i].key,
		      v[i].conf, v[i].hashes, ok ? method : 0);
		if (!ok) {
			printf("#   %s\n", err);
			continue;
		}
		check(!auth_verify(pub, method, sig, len, octets, sizeof(octets),
				   err), "auth: %s %s verifies", v[i].key,
		      v[i].conf);
		check(auth_verify(pub, method, sig, len, bad, sizeof(bad), err) &&
		      strstr(err, "does not verify"),
		      "auth: %s %s over other octets: %s", v[i].key, v[i].conf,
		      err);
		check(auth_verify(X509_get0_pubkey(ent("sun-rsa")->cert) == pub ?
				  X509_get0_pubkey(ent("sun-p384")->cert) :
				  X509_get0_pubkey(ent("sun-rsa")->cert),
				  method, sig, len, octets, sizeof(octets), err),
		      "auth: %s %s with another key: %s", v[i].key, v[i].conf,
		      err);
		if (method == IKEV2_AUTH_DIGITAL_SIGNATURE) {
			sig[0] = 200;	/* AlgorithmIdentifier overrunning */
			check(auth_verify(pub, method, sig, len, octets,
					  sizeof(octets), err) &&
			      strstr(err, "AlgorithmIdentifier"),
			      "auth: %s: a bad AlgorithmIdentifier length: %s",
			      v[i].key, err);
		}
		free(sig);
	}
	check(auth_sign(ent("moon-ed25519")->key, "pubkey", 0x1c, octets,
			sizeof(octets), &method, &sig, &len, err) &&
	      strstr(err, "Identity hash"),
	      "auth: Ed25519 needs the peer's Identity hash: %s", err);
	check(auth_sign(ent("moon-rsa")->key, "rsa/pss", 0, octets,
			sizeof(octets), &method, &sig, &len, err) &&
	      strstr(err, "RSA-PSS"),
	      "auth: PSS needs RFC 7427: %s", err);
	check(auth_verify(X509_get0_pubkey(ent("moon-rsa")->cert), 99,
			  octets, 4, octets, sizeof(octets), err) &&
	      strstr(err, "AUTH method 99"),
	      "auth: unknown method: %s", err);
	for (len = 0; len < 80; len++)
		auth_verify(X509_get0_pubkey(ent("moon-p256")->cert),
			    IKEV2_AUTH_DIGITAL_SIGNATURE, octets, len, octets,
			    sizeof(octets), err);
	check(1, "auth: short and garbage signatures do not crash");
}

static void test_cert_ids(void)
{
	X509 *x = ent("moon-ed25519")->cert;
	static const uint8_t ip1[4] = { 192, 0, 2, 1 }, ip2[4] = { 192, 0, 2, 2 };
	uint8_t *der;
	size_t len;

	check(auth_cert_has_id(x, IKEV2_ID_FQDN,
			       (const uint8_t *)"MOON.example.org", 16),
	      "cert ID: FQDN in the subjectAltName, any case");
	check(!auth_cert_has_id(x, IKEV2_ID_FQDN,
				(const uint8_t *)"sun.example.org", 15),
	      "cert ID: another FQDN is not");
	check(auth_cert_has_id(x, IKEV2_ID_RFC822_ADDR,
			       (const uint8_t *)"moon@example.org", 16),
	      "cert ID: email in the subjectAltName");
	check(!auth_cert_has_id(x, IKEV2_ID_IPV4_ADDR, ip1, 4) &&
	      auth_cert_has_id(ent("sun-rsa")->cert, IKEV2_ID_IPV4_ADDR, ip2, 4),
	      "cert ID: IP addresses only from iPAddress subjectAltNames");
	if (!auth_dn_from_text("/C=CH/O=esptun/CN=moon.example.org", &der,
			       &len)) {
		check(auth_cert_has_id(x, IKEV2_ID_DER_ASN1_DN, der, len),
		      "cert ID: the subject DN");
		check(!auth_cert_has_id(ent("sun-rsa")->cert,
					IKEV2_ID_DER_ASN1_DN, der, len),
		      "cert ID: not another certificate's DN");
		free(der);
	} else {
		check(0, "cert ID: /C=CH/O=esptun/CN=moon.example.org parses");
	}
	check(auth_dn_from_text("not a dn", &der, &len) == -1 &&
	      auth_dn_from_text("", &der, &len) == -1,
	      "cert ID: text that is no DN is refused");
}

static void test_creds_errors(void)
{
	static const struct { const char *conf, *want; } v[] = {
		{ "connections { t { local { auth = pubkey } remote { auth = psk } } }",
		  "needs a certificate: add local { certs = CERT.pem }" },
		{ "connections { t { local { auth = pubkey\n certs = moon-rsa.pem } remote { auth = psk } } }",
		  "no private key for certificate moon-rsa.pem (C=CH, O=esptun, CN=moon.example.org)" },
		{ "connections { t { local { auth = pubkey\n certs = moon-rsa.pem } remote { auth = psk } } }\n"
		  "secrets { private-x { file = sun-rsa.pem } }",
		  "no private key for certificate" },
		{ "connections { t { local { auth = psk } remote { auth = pubkey\n cacerts = nope.pem } } }",
		  "x509ca/nope.pem: cannot open" },
		{ "connections { t { local { auth = psk } remote { auth = pubkey\n cacerts = ../private/moon-rsa.pem } } }",
		  "not an X.509 certificate" },
		{ "secrets { private-x { file = ../x509/moon-rsa.pem } }",
		  "not a private key" },
	};
	struct config cfg;
	struct creds cr;
	char err[CONF_ERR_LEN];
	size_t i;

	for (i = 0; i < N(v); i++) {
		int r = -1;

		if (config_load_text("t", v[i].conf, strlen(v[i].conf), &cfg,
				     NULL, NULL, err)) {
			check(0, "creds: config %zu: %s", i, err);
			continue;
		}
		err[0] = 0;
		r = creds_load(&cr, &cfg, certdir, err);
		check(r == -1 && strstr(err, v[i].want), "creds: %s", err);
		if (!r)
			creds_free(&cr);
		config_free(&cfg);
	}
}

/* No remote.cacerts: every CA in x509ca/ is trusted, as with swanctl. */
static void test_x509ca_dir(void)
{
	static const char conf[] =
		"connections { t { local { auth = psk } remote { auth = pubkey } } }";
	const struct cred_conn *cc;
	const char *names[] = { "moon-rsa", "sun-evil" };
	struct config cfg;
	struct creds cr;
	char err[CONF_ERR_LEN];
	size_t i;

	if (config_load_text("t", conf, strlen(conf), &cfg, NULL, NULL, err)) {
		check(0, "x509ca: config: %s", err);
		return;
	}
	if (creds_load(&cr, &cfg, certdir, err)) {
		check(0, "x509ca: credentials: %s", err);
		config_free(&cfg);
		return;
	}
	cc = creds_for(&cr, &cfg.conns[0]);
	check(cc && cc->certreq_len == 2 * 20,
	      "x509ca: both CAs of x509ca/ trusted, both in CERTREQ (%zu bytes)",
	      cc ? cc->certreq_len : 0);
	for (i = 0; cc && i < N(names); i++) {
		struct ent *e = ent(names[i]);
		unsigned char *der = NULL;
		const uint8_t *dp[1];
		size_t dl[1];
		X509 *leaf = NULL;
		int len = e ? i2d_X509(e->cert, &der) : -1;

		int r;

		dp[0] = der;
		dl[0] = len > 0 ? (size_t)len : 0;
		r = len > 0 ? auth_cert_verify(cc, dp, dl, 1, &leaf, err) : -1;
		check(r == 0 && leaf, "x509ca: %s verifies: %s", names[i],
		      r ? err : "ok");
		X509_free(leaf);
		OPENSSL_free(der);
	}
	creds_free(&cr);
	/* Nothing there: the error names both ways. */
	err[0] = 0;
	check(creds_load(&cr, &cfg, "/nonexistent", err) == -1 &&
	      strstr(err, "add remote { cacerts = CA.pem }, or put the CA certificates in /nonexistent/x509ca"),
	      "x509ca: none: %s", err);
	config_free(&cfg);
}

/* Garbage, truncations and bit flips of real messages never crash. */
static void test_malformed(void)
{
	static uint8_t big[70000];
	struct sockaddr_in from, to;
	struct pkt first;
	unsigned i, crit = 0, trunc_state = 0, moon_state = 0;
	struct ikesa *ini;
	size_t len;

	if (setup_node(&moon, "moon", &moon_def, "192.0.2.1") ||
	    setup_node(&sun, "sun", &sun_def, "192.0.2.2"))
		return;
	mkaddr(&from, "192.0.2.1", 500);
	mkaddr(&to, "192.0.2.2", 500);
	{
		char err[IKE_LAST_ERROR_LEN];

		ini = ike_sa_initiate(&moon.d, "t", NULL,
				      (struct sockaddr *)&moon.addr,
				      (struct sockaddr *)&sun.addr, err);
	}
	if (!ini || qlen != 1) {
		check(0, "malformed: initiate");
		teardown();
		return;
	}
	first = queue[0];
	qlen = 0;
	check(ike_sa_recv(&sun.d, big, sizeof(big), (struct sockaddr *)&from,
			  (struct sockaddr *)&to) == -1 && qlen == 0,
	      "oversized zero datagram dropped silently");
	for (i = 0; i < 2000; i++) {
		uint8_t buf[IKE_MAX_MSG];

		len = first.len;
		memcpy(buf, first.buf, len);
		if (i < first.len)
			len = i;			/* truncations */
		else
			buf[rand() % len] ^= (uint8_t)(1 + rand() % 255);
		ike_sa_recv(&sun.d, buf, len, (struct sockaddr *)&from,
			    (struct sockaddr *)&to);
		if (i < first.len && (sun.d.sas || qlen))
			trunc_state++;
		ike_sa_recv(&moon.d, buf, len, (struct sockaddr *)&to,
			    (struct sockaddr *)&from);
		if (ini->state != IKE_SA_INIT_SENT || ini->req_tries)
			moon_state++;
		qlen = 0;
		ike_daemon_free(&sun.d);
	}
	check(!trunc_state, "%zu truncations of an IKE_SA_INIT request: no answer, no state (%u)",
	      first.len, trunc_state);
	check(!moon_state, "the initiator ignores 2000 broken requests sent to it (%u)",
	      moon_state);
	/* An unknown payload type with the critical bit, appended. */
	{
		uint8_t buf[IKE_MAX_MSG];
		size_t off = IKEV2_HDR_LEN, last = 0;
		uint32_t l;

		len = first.len;
		memcpy(buf, first.buf, len);
		/* find the last payload and chain a new one after it */
		{
			uint8_t next = buf[16];

			while (next && off + 4 <= len) {
				last = off;
				next = buf[off];
				off += (size_t)(buf[off + 2] << 8 | buf[off + 3]);
			}
		}
		buf[last] = 200;
		buf[len] = 0;
		buf[len + 1] = IKEV2_CRITICAL;
		buf[len + 2] = 0;
		buf[len + 3] = 4;
		len += 4;
		l = (uint32_t)len;
		buf[24] = (uint8_t)(l >> 24);
		buf[25] = (uint8_t)(l >> 16);
		buf[26] = (uint8_t)(l >> 8);
		buf[27] = (uint8_t)l;
		qlen = 0;
		ike_sa_recv(&sun.d, buf, len, (struct sockaddr *)&from,
			    (struct sockaddr *)&to);
		if (qlen == 1) {
			struct ike_msg m;
			struct ike_err e;
			struct ike_notify n;

			if (!ike_msg_parse(queue[0].buf, queue[0].len, &m, &e) &&
			    m.n == 1 && !ike_pl_notify(&m.pl[0], &n, &e) &&
			    n.type == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD &&
			    n.data.len == 1 && n.data.p[0] == 200)
				crit = 1;
		}
		check(crit, "unknown critical payload: UNSUPPORTED_CRITICAL_PAYLOAD(200)");
		check(!sun.d.sas, "unknown critical payload: no state kept");
	}
	/* An encrypted message with a bad ICV to an established SA. */
	teardown();
	start(&moon_def, &sun_def);
	if (established("before tampering", "10.1.0.0/16", "10.2.0.0/16",
			false)) {
		uint32_t id = sun.d.sas->peer_next_id;

		ike_sa_liveness(moon.d.sas);
		queue[0].buf[queue[0].len - 1] ^= 1;
		pump();
		check(sun.d.sas->peer_next_id == id &&
		      sun.d.sas->state == IKE_ESTABLISHED,
		      "tampered INFORMATIONAL dropped silently");
		now_ms += 5000;
		ike_daemon_tick(&moon.d);
		pump();
		check(!moon.d.sas->req && sun.d.sas->peer_next_id == id + 1,
		      "the retransmission gets through");
	}
	teardown();
}

int main(void)
{
	srand(1);
	test_proposals();
	test_narrowing();
	test_invalid_ke();
	test_cookie();
	test_cookie_responder();
	test_cookie_loop();
	test_loss();
	test_give_up();
	test_half_open();
	test_unauth_bounds();
	test_fragments();
	test_auth_failures();
	test_no_proposal();
	test_ts_unacceptable();
	test_delete_and_liveness();
	test_nat();
	test_window();
	test_malformed();
	if (make_pki()) {
		check(0, "making keys and certificates in %s", certdir);
	} else {
		test_auth_schemes();
		test_cert_ids();
		test_creds_errors();
		test_x509ca_dir();
		test_certreq();
		test_cert_handshakes();
		test_cert_dn_ids();
		test_cert_failures();
	}
	free_pki();
	return tap_done();
}
