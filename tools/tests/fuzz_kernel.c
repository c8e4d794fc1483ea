// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what esptund reads from the kernel without the
 * kernel vouching for it: ACQUIRE/EXPIRE events (kernel_parse_event) and
 * the extended ack of an NLMSG_ERROR (nlreq_parse_extack).  The input is
 * one netlink message; its nlmsg_len is set to the input's length, as
 * libnl guarantees it is no longer than what was received.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "../daemon/kernel.h"
#include "../lib/nlreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kernel_event ev;
	struct nlmsghdr *nlh;
	struct nlreq_error e;
	uint8_t *buf;

	if (size < NLMSG_HDRLEN || size > 65536)
		return 0;
	/* An exact-size copy: ASan sees any read past the message. */
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)size;
	if (!kernel_parse_event(nlh, nlh->nlmsg_type, &ev))
		(void)strlen(ev.ifname);
	memset(&e, 0, sizeof(e));
	nlreq_parse_extack(nlh, &e);
	(void)strlen(e.msg);
	free(buf);
	return 0;
}
