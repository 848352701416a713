/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aisexec extensions shared by the client libraries: why an initialize
 * could not connect to the daemon, as one sentence for the user.
 *
 * An initialize that fails to connect returns an error code only
 * (CS_ERR_ACCESS, SA_AIS_ERR_NO_RESOURCES, ...), which does not say which
 * limit refused the process. Each library keeps, per thread, the reason of
 * its last connection attempt; a program prints it after a failed
 * initialize:
 *
 *   access denied by aisexec: uid 1000 (gid 1000) is not allowed
 *     (aisexec { ipc_allow_uid, ipc_allow_gid }) (ais-n1-cpg)
 *   aisexec refused the connection: too many connections for uid 1000
 *     (its limit per user, aisexec { ipc_max_connections_per_uid }) (...)
 *   aisexec refused the connection: too many connections in all
 *     (its limit, aisexec { ipc_max_connections }) (...)
 *   aisexec refused the connection: it is shutting down (...)
 *   aisexec did not answer within 10000 ms: is it stopped or overloaded? (...)
 *   cannot connect to aisexec: is it running, with this instance ($AIS_INSTANCE)? (...)
 *
 * Each function returns NULL when the library's last connection attempt in
 * the calling thread succeeded (or none was made); the text is valid until
 * that thread's next initialize of the same library.
 */
#ifndef AIS_CLIENT_PUBLIC_H
#define AIS_CLIENT_PUBLIC_H

#ifdef __cplusplus
extern "C" {
#endif

/** libaiscpg: cpg_initialize(), cpg_model_initialize(). */
const char *cpg_initialize_error_text(void);
/** libSaClm: saClmInitialize(), saClmInitialize_4(). */
const char *saClmInitializeErrorText(void);
/** libSaEvt: saEvtInitialize(). */
const char *saEvtInitializeErrorText(void);
/** libSaAmf: saAmfInitialize(), saAmfInitialize_4(). */
const char *saAmfInitializeErrorText(void);

#ifdef __cplusplus
}
#endif

#endif /* AIS_CLIENT_PUBLIC_H */
