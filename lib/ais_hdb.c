/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handle database for the client libraries: 64-bit handles that are never
 * reused, never valid in another database, with reference counts so an
 * instance outlives every call that uses it (finalize from a callback or
 * from another thread is safe).
 *
 * Storage is libqb's qb_hdb: it hands out slots and owns the memory. Its
 * own handle values are not used outside this file: qb_hdb draws its check
 * value from random() (so a value can come back for the same slot) and
 * treats a check of 0xffffffff as a wildcard, and it is not thread-safe.
 * Here a slot is looked up with qb_hdb_nocheck_convert() and the full
 * handle value, kept in a header in front of the instance, is compared;
 * every qb_hdb call is made under the database mutex, and our reference
 * count (not qb_hdb's, which stays at 1 while the slot is in use) decides
 * when the instance dies, so its destructor runs outside every lock.
 *
 * Handle layout (see ais_client.h): tag(8) | generation(36) | slot(20).
 */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "ais_client.h"

#define HDB_SLOT_BITS 20
#define HDB_GEN_BITS 36
#define HDB_SLOT_MAX ((UINT64_C(1) << HDB_SLOT_BITS) - 1)
#define HDB_GEN_MAX ((UINT64_C(1) << HDB_GEN_BITS) - 1)

struct hdb_entry {
	alignas(max_align_t) uint64_t handle;
	uint32_t refcount;
	bool destroyed;
	void (*destructor)(void *instance);
};
_Static_assert(sizeof(struct hdb_entry) % alignof(max_align_t) == 0, "instance alignment");

static uint64_t hdb_handle_make(const struct ais_hdb *db, uint64_t gen, uint32_t slot)
{
	return ((uint64_t)db->tag << 56) | (gen << HDB_SLOT_BITS) | slot;
}

/* The entry behind handle, or NULL. Under db->lock. */
static struct hdb_entry *hdb_lookup_locked(struct ais_hdb *db, uint64_t handle)
{
	uint32_t slot = (uint32_t)(handle & HDB_SLOT_MAX);
	void *mem;

	if ((uint8_t)(handle >> 56) != db->tag) {
		return NULL;
	}
	if (qb_hdb_handle_get(&db->qb, qb_hdb_nocheck_convert(slot), &mem) != 0) {
		return NULL;
	}
	/* qb_hdb's own count stays at one: it only tracks slot use. */
	qb_hdb_handle_put(&db->qb, qb_hdb_nocheck_convert(slot));
	if (((struct hdb_entry *)mem)->handle != handle) {
		return NULL;
	}
	return mem;
}

int ais_hdb_create(struct ais_hdb *db, size_t size, void (*destructor)(void *instance),
                   uint64_t *ret_handle, void **ret_instance)
{
	struct hdb_entry *e;
	qb_handle_t qb_handle;
	uint64_t slot;
	void *mem;
	int res;

	if (db == NULL || ret_handle == NULL || size > INT32_MAX - sizeof(*e)) {
		return -EINVAL;
	}
	pthread_mutex_lock(&db->lock);
	if (db->next_gen > HDB_GEN_MAX) {
		res = -ENOSPC;
		goto out;
	}
	res = qb_hdb_handle_create(&db->qb, (int32_t)(sizeof(*e) + size), &qb_handle);
	if (res != 0) {
		res = res < 0 ? res : -ENOMEM;
		goto out;
	}
	slot = qb_hdb_base_convert(qb_handle);
	if (slot > HDB_SLOT_MAX - 1 ||
	    qb_hdb_handle_get(&db->qb, qb_handle, &mem) != 0) {
		qb_hdb_handle_destroy(&db->qb, qb_handle);
		res = slot > HDB_SLOT_MAX - 1 ? -ENOSPC : -ENOMEM;
		goto out;
	}
	qb_hdb_handle_put(&db->qb, qb_handle);
	e = mem; /* zeroed by qb_hdb */
	e->handle = hdb_handle_make(db, db->next_gen++, (uint32_t)slot);
	e->refcount = 1;
	e->destructor = destructor;
	*ret_handle = e->handle;
	if (ret_instance != NULL) {
		*ret_instance = e + 1;
	}
out:
	pthread_mutex_unlock(&db->lock);
	return res;
}

int ais_hdb_get(struct ais_hdb *db, uint64_t handle, void **ret_instance)
{
	struct hdb_entry *e;
	int res = -EBADF;

	if (db == NULL || ret_instance == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&db->lock);
	e = hdb_lookup_locked(db, handle);
	if (e != NULL && !e->destroyed && e->refcount < UINT32_MAX) {
		e->refcount++;
		*ret_instance = e + 1;
		res = 0;
	}
	pthread_mutex_unlock(&db->lock);
	return res;
}

int ais_hdb_put(struct ais_hdb *db, uint64_t handle)
{
	struct hdb_entry *e;
	bool last;

	if (db == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&db->lock);
	e = hdb_lookup_locked(db, handle);
	if (e == NULL || e->refcount == 0) {
		pthread_mutex_unlock(&db->lock);
		return -EBADF;
	}
	last = --e->refcount == 0;
	pthread_mutex_unlock(&db->lock);
	if (!last) {
		return 0;
	}
	/* refcount 0 implies destroyed: no get can succeed any more, and the
	 * slot stays taken until qb_hdb frees it below. */
	if (e->destructor != NULL) {
		e->destructor(e + 1);
	}
	pthread_mutex_lock(&db->lock);
	qb_hdb_handle_destroy(&db->qb, qb_hdb_nocheck_convert((uint32_t)(handle & HDB_SLOT_MAX)));
	pthread_mutex_unlock(&db->lock);
	return 0;
}

int ais_hdb_destroy(struct ais_hdb *db, uint64_t handle)
{
	struct hdb_entry *e;

	if (db == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&db->lock);
	e = hdb_lookup_locked(db, handle);
	if (e == NULL || e->destroyed) {
		pthread_mutex_unlock(&db->lock);
		return -EBADF;
	}
	e->destroyed = true;
	pthread_mutex_unlock(&db->lock);
	return ais_hdb_put(db, handle);
}

int ais_hdb_iterate(struct ais_hdb *db, int (*fn)(uint64_t handle, void *instance, void *ctx),
                    void *ctx)
{
	uint32_t count;

	if (db == NULL || fn == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&db->lock);
	count = db->qb.handle_count;
	pthread_mutex_unlock(&db->lock);

	for (uint32_t slot = 0; slot < count && slot <= HDB_SLOT_MAX; slot++) {
		struct hdb_entry *e = NULL;
		uint64_t handle = 0;
		void *mem;
		int res;

		pthread_mutex_lock(&db->lock);
		if (qb_hdb_handle_get(&db->qb, qb_hdb_nocheck_convert(slot), &mem) == 0) {
			qb_hdb_handle_put(&db->qb, qb_hdb_nocheck_convert(slot));
			e = mem;
			if (e->destroyed || e->refcount == 0) {
				e = NULL;
			} else {
				e->refcount++;
				handle = e->handle;
			}
		}
		pthread_mutex_unlock(&db->lock);
		if (e == NULL) {
			continue;
		}
		res = fn(handle, e + 1, ctx);
		ais_hdb_put(db, handle);
		if (res != 0) {
			return res;
		}
	}
	return 0;
}
