/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring-sequence file and its writer thread (see ringseq.h). The thread is
 * the only code in the daemon that touches the disk for the protocol.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ais/inject.h>

#include "ringseq.h"

struct ringseq_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_cond_t done;  /**< broadcast after every write */
	uint64_t pending;   /**< highest value handed over */
	uint64_t written;   /**< highest value a write was attempted for */
	uint64_t durable;   /**< highest value written and synced */
	int last_result;    /**< result of the latest write */
	bool stopping;
	int last_error;
	char *path;
	char *tmp_path;
	char *dir;
};

int ringseq_read(const char *path, uint64_t *ret_seq)
{
	char buf[32];
	char *end;
	struct stat st;
	ssize_t n;
	/* O_NONBLOCK: a FIFO put in its place must not hang the start. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT) {
			*ret_seq = 0;
			return 0;
		}
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return n < 0 ? -errno : -EINVAL;
	}
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9') {
		return -EINVAL;
	}
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno != 0 || (*end != '\n' && *end != '\0')) {
		return -EINVAL;
	}
	*ret_seq = (uint64_t)v;
	return 0;
}

static int ringseq_write_file(const struct ringseq_writer *w, uint64_t seq)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", seq);
	int fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0600);
	int r = 0;

	if (fd < 0) {
		return -errno;
	}
	if (ais_inject_syscall(AIS_INJECT_WRITE) || write(fd, buf, (size_t)len) != len) {
		r = errno != 0 ? -errno : -EIO;
	} else if (fsync(fd) < 0) {
		r = -errno;
	}
	if (close(fd) < 0 && r == 0) {
		r = -errno;
	}
	if (r == 0 && rename(w->tmp_path, w->path) < 0) {
		r = -errno;
	}
	if (r == 0) {
		int dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	} else {
		(void)unlink(w->tmp_path);
	}
	return r;
}

static void *ringseq_writer_main(void *arg)
{
	struct ringseq_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->pending <= w->written && !w->stopping) {
			pthread_cond_wait(&w->cond, &w->lock);
		}
		if (w->pending > w->written) {
			uint64_t seq = w->pending;
			pthread_mutex_unlock(&w->lock);
			int r = ringseq_write_file(w, seq);
			pthread_mutex_lock(&w->lock);
			w->written = seq;
			w->last_result = r;
			pthread_cond_broadcast(&w->done);
			if (r < 0) {
				w->last_error = r;
			} else if (seq > w->durable) {
				w->durable = seq;
			}
			continue;
		}
		if (w->stopping) {
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int ringseq_writer_start(const char *path, struct ringseq_writer **ret)
{
	struct ringseq_writer *w = ais_calloc(1, sizeof(*w));
	char *copy;
	int r;

	if (w == NULL) {
		return -ENOMEM;
	}
	w->path = ais_strdup(path);
	copy = ais_strdup(path);
	if (w->path == NULL || copy == NULL ||
	    asprintf(&w->tmp_path, "%s.tmp", path) < 0) {
		w->tmp_path = NULL;
		r = -ENOMEM;
		goto out_free;
	}
	w->dir = ais_strdup(dirname(copy));
	if (w->dir == NULL) {
		r = -ENOMEM;
		goto out_free;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->done, NULL);
	r = -pthread_create(&w->thread, NULL, ringseq_writer_main, w);
	if (r < 0) {
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		goto out_free;
	}
	free(copy);
	*ret = w;
	return 0;
out_free:
	free(copy);
	free(w->dir);
	free(w->tmp_path);
	free(w->path);
	free(w);
	return r;
}

void ringseq_writer_store(struct ringseq_writer *w, uint64_t seq)
{
	pthread_mutex_lock(&w->lock);
	if (seq > w->pending) {
		w->pending = seq;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
}

uint64_t ringseq_writer_durable(struct ringseq_writer *w, int *ret_error)
{
	uint64_t v;

	pthread_mutex_lock(&w->lock);
	v = w->durable;
	if (ret_error != NULL) {
		*ret_error = w->last_result;
	}
	pthread_mutex_unlock(&w->lock);
	return v;
}

int ringseq_writer_reserve(struct ringseq_writer *w, uint64_t seq)
{
	int r = 0;

	pthread_mutex_lock(&w->lock);
	if (seq + RINGSEQ_BLOCK / 2 >= w->durable) {
		bool failed = w->written >= w->pending && w->last_result < 0;

		if (seq + RINGSEQ_BLOCK > w->pending) {
			w->pending = seq + RINGSEQ_BLOCK;
		}
		if (failed) {
			w->written = w->durable; /* try the failed value again */
		}
		if (w->pending > w->written) {
			pthread_cond_signal(&w->cond);
		}
	}
	if (seq >= w->durable) {
		r = w->written >= w->pending && w->last_result < 0 ? w->last_result : -EAGAIN;
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

int ringseq_writer_flush(struct ringseq_writer *w)
{
	int r;

	pthread_mutex_lock(&w->lock);
	while (w->written < w->pending) {
		pthread_cond_wait(&w->done, &w->lock);
	}
	r = w->last_result;
	pthread_mutex_unlock(&w->lock);
	return r;
}

int ringseq_writer_stop(struct ringseq_writer *w)
{
	int r;

	if (w == NULL) {
		return 0;
	}
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	r = w->last_error;
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w->dir);
	free(w->tmp_path);
	free(w->path);
	free(w);
	return r;
}
