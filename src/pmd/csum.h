/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental Internet checksum updates (RFC 1624) and CRC32c for SCTP.
 *
 * The 16-bit one's-complement sum commutes with byte swapping, so fields are
 * combined exactly as they sit in the packet (network order, loaded raw) and
 * the result is stored back raw: no byte-order conversion anywhere.
 *
 * Thread safety: pure functions.
 */
#ifndef CSUM_H
#define CSUM_H

#include <stdint.h>
#include <string.h>

static inline uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word m -> m'. */
static inline uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new)
{
	uint64_t sum = (uint16_t)~check + (uint64_t)(uint16_t)~old + new;

	return (uint16_t)~csum_fold(sum);
}

/* The same for a 32-bit field (two words). */
static inline uint16_t csum_replace32(uint16_t check, uint32_t old, uint32_t new)
{
	uint32_t nold = ~old;
	uint64_t sum = (uint16_t)~check + (uint64_t)(nold & 0xffff) + (nold >> 16) +
		       (new & 0xffff) + (new >> 16);

	return (uint16_t)~csum_fold(sum);
}

/* The same for a 16-byte field (an IPv6 address). */
static inline uint16_t csum_replace128(uint16_t check, const uint8_t old[16], const uint8_t new[16])
{
	for (int i = 0; i < 16; i += 4) {
		uint32_t o, n;

		memcpy(&o, old + i, 4);
		memcpy(&n, new + i, 4);
		check = csum_replace32(check, o, n);
	}
	return check;
}

#endif /* CSUM_H */
