// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// An independent Matrix client for end-to-end tests: matrix-js-sdk with its Rust crypto (the
// @matrix-org/matrix-sdk-crypto-wasm build js-sdk itself depends on), driven from Node. It logs in
// to the test homeserver, joins rooms, sends and reads encrypted events, sends and receives
// encrypted to-device messages, verifies devices by emoji (SAS) and sets up key backup, the way
// Element Web does with the same library. Its crypto store is in memory: one peer, one run.

import path from 'node:path';
import { pathToFileURL } from 'node:url';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sdkPromise = null;

/** matrix-js-sdk (and its crypto-api helpers) from the e2e npm folder installed by the build. */
export function loadJsSdk(modulesDir) {
    if (!sdkPromise) {
        const base = path.join(path.resolve(modulesDir), 'node_modules', 'matrix-js-sdk', 'lib');
        sdkPromise = (async () => {
            const sdk = await import(pathToFileURL(path.join(base, 'index.js')).href);
            const cryptoApi = await import(pathToFileURL(path.join(base, 'crypto-api', 'index.js')).href);
            const { logger } = await import(pathToFileURL(path.join(base, 'logger.js')).href);
            logger.setLevel('warn');
            // The Rust crypto traces every step through console.debug and console.info.
            console.debug = () => {};
            console.info = () => {};
            return { sdk, cryptoApi };
        })();
    }
    return sdkPromise;
}

/** Waits until @p probe() returns something truthy (polling), or throws naming @p what. */
export async function until(probe, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        try {
            last = await probe();
            if (last)
                return last;
        } catch (e) {
            last = e;
        }
        await sleep(50);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export class JsPeer {
    /**
     * @param {object} o
     * @param {string} o.modulesDir  the e2e npm folder (with matrix-js-sdk)
     * @param {string} o.baseUrl     the homeserver
     * @param {string} o.user        localpart
     * @param {string} o.password
     * @param {string} [o.deviceId]
     * @param {(m: string) => void} [o.log]
     */
    constructor({ modulesDir, baseUrl, user, password, deviceId, log = () => {} }) {
        Object.assign(this, { modulesDir, baseUrl, user, password, wantedDeviceId: deviceId, log });
        this.toDevice = [];
        this.verificationRequests = [];
    }

    get userId() { return this.client.getUserId(); }
    get deviceId() { return this.client.getDeviceId(); }
    get crypto() { return this.client.getCrypto(); }

    /** Logs in, starts the Rust crypto and the sync loop; resolves after the first sync. */
    async start(timeoutMs = 60000) {
        const { sdk, cryptoApi } = await loadJsSdk(this.modulesDir);
        this.sdk = sdk;
        this.cryptoApi = cryptoApi;
        const loginClient = sdk.createClient({ baseUrl: this.baseUrl });
        const login = await loginClient.loginRequest({
            type: 'm.login.password',
            identifier: { type: 'm.id.user', user: this.user },
            password: this.password,
            device_id: this.wantedDeviceId,
            initial_device_display_name: `js-sdk peer ${this.user}`,
        });
        this.client = sdk.createClient({
            baseUrl: this.baseUrl,
            accessToken: login.access_token,
            userId: login.user_id,
            deviceId: login.device_id,
            verificationMethods: ['m.sas.v1'],
        });
        await this.client.initRustCrypto({ useIndexedDB: false });
        this.client.on(sdk.ClientEvent.ToDeviceEvent, (event) => {
            this.toDevice.push({ type: event.getType(), sender: event.getSender(), content: event.getContent(),
                encrypted: event.isEncrypted() });
        });
        this.client.on(cryptoApi.CryptoEvent.VerificationRequestReceived, (request) => this.verificationRequests.push(request));
        const prepared = new Promise((resolve, reject) => {
            const onSync = (state, _prev, data) => {
                if (state === 'PREPARED' || state === 'SYNCING') {
                    this.client.off(sdk.ClientEvent.Sync, onSync);
                    resolve();
                } else if (state === 'ERROR' && data?.error?.httpStatus === 401) {
                    reject(new Error(`the homeserver refused the peer's token: ${data.error.message}`));
                }
            };
            this.client.on(sdk.ClientEvent.Sync, onSync);
        });
        await this.client.startClient({ initialSyncLimit: 50, lazyLoadMembers: false });
        await Promise.race([prepared, sleep(timeoutMs).then(() => { throw new Error('the peer\'s first sync did not complete'); })]);
        this.log(`js-sdk peer ${this.userId} (${this.deviceId}) is syncing`);
        return this;
    }

    async stop() {
        if (this.client) {
            this.client.stopClient();
            this.client.removeAllListeners();
        }
    }

    /** The ed25519 fingerprint of this device, as clients show it. */
    async fingerprint() {
        return (await this.crypto.getOwnDeviceKeys()).ed25519;
    }

    async joinRoom(roomIdOrAlias) {
        const room = await this.client.joinRoom(roomIdOrAlias);
        await until(() => this.client.getRoom(room.roomId)?.getMyMembership() === 'join', 20000, `the peer to see itself in ${roomIdOrAlias}`);
        return room.roomId;
    }

    /** Creates a private encrypted room (Megolm) and invites @p invite. */
    async createEncryptedRoom({ name = 'Encrypted', invite = [], historyVisibility = 'shared' } = {}) {
        const { room_id: roomId } = await this.client.createRoom({
            name,
            preset: 'private_chat',
            invite,
            initial_state: [
                { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
                { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: historyVisibility } },
            ],
        });
        await until(() => this.client.getRoom(roomId)?.hasEncryptionStateEvent(), 20000, 'the peer to see its encrypted room');
        return roomId;
    }

    /** Waits until @p userId is joined to @p roomId as this peer sees it. */
    async waitForMember(roomId, userId, timeoutMs = 30000) {
        await until(() => this.client.getRoom(roomId)?.getMember(userId)?.membership === 'join', timeoutMs,
            `${userId} to be joined to ${roomId}`);
    }

    /** Sends m.text (encrypted when the room is); resolves with the event id. */
    async sendText(roomId, body, extra = {}) {
        const { event_id: eventId } = await this.client.sendEvent(roomId, 'm.room.message', { msgtype: 'm.text', body, ...extra });
        return eventId;
    }

    async sendEvent(roomId, type, content) {
        return (await this.client.sendEvent(roomId, type, content)).event_id;
    }

    /** The room's live timeline as plain objects: decrypted where the peer could, with the failure otherwise. */
    timeline(roomId) {
        const room = this.client.getRoom(roomId);
        if (!room)
            return [];
        return room.getLiveTimeline().getEvents().map((e) => ({
            eventId: e.getId(),
            sender: e.getSender(),
            type: e.getType(),
            wireType: e.getWireType(),
            content: e.getContent(),
            encrypted: e.isEncrypted(),
            failure: e.isDecryptionFailure() ? (e.decryptionFailureReason || 'unable to decrypt') : null,
        }));
    }

    /** Waits for a timeline event matching @p predicate (on the decrypted form) and returns it. */
    async waitForEvent(roomId, predicate, timeoutMs = 30000, what = 'an event') {
        return until(() => this.timeline(roomId).find((e) => !e.failure && predicate(e)), timeoutMs,
            `${what} in ${roomId} (seen: ${JSON.stringify(this.timeline(roomId).slice(-5))})`);
    }

    /** Sends @p content as an Olm-encrypted to-device message of @p type to one device. */
    async sendEncryptedToDevice(userId, deviceId, type, content) {
        await this.waitForDevice(userId, deviceId);
        const payload = await this.crypto.encryptToDeviceMessages(type, [{ userId, deviceId }], content);
        if (payload.batch.length === 0)
            throw new Error(`js-sdk could not encrypt for ${userId} ${deviceId} (no Olm session or unknown device)`);
        await this.client.queueToDevice(payload);
    }

    async waitForToDevice(predicate, timeoutMs = 30000, what = 'a to-device message') {
        return until(() => this.toDevice.find(predicate), timeoutMs, `${what} (seen: ${JSON.stringify(this.toDevice.slice(-5))})`);
    }

    /** The device ids of @p userId whose keys this peer's crypto can get from the server. */
    async devicesOf(userId) {
        const map = await this.crypto.getUserDeviceInfo([userId], true);
        return [...(map.get(userId)?.keys() ?? [])];
    }

    /** Waits until this peer's crypto knows @p deviceId of @p userId (its keys were queried). */
    async waitForDevice(userId, deviceId, timeoutMs = 30000) {
        await until(async () => (await this.crypto.getUserDeviceInfo([userId], true)).get(userId)?.has(deviceId),
            timeoutMs, `the keys of ${userId}'s device ${deviceId}`);
    }

    /** The other device as this peer's crypto sees it (after a key query). */
    async deviceStatus(userId, deviceId) {
        await this.crypto.getUserDeviceInfo([userId], true);
        const status = await this.crypto.getDeviceVerificationStatus(userId, deviceId);
        return status ? { verified: status.isVerified(), locallyVerified: status.localVerified } : null;
    }

    /**
     * Verifies the other device by emoji, from either side: @p start makes this peer send the
     * request, else it waits for one. @p confirm(emojis) decides whether the emoji match (the
     * other side must confirm too). Resolves with the emoji names once both sides are done.
     */
    async verifyBySas({ userId, deviceId, start = true, confirm = async () => true, timeoutMs = 60000 }) {
        const { VerificationPhase, VerifierEvent } = this.cryptoApi;
        let request;
        if (start) {
            await this.waitForDevice(userId, deviceId, timeoutMs);
            request = await this.crypto.requestDeviceVerification(userId, deviceId);
        } else {
            request = await until(() => this.verificationRequests.find((r) => r.otherUserId === userId && r.phase === VerificationPhase.Requested),
                timeoutMs, `a verification request from ${userId}`);
            await request.accept();
        }
        // Wait for the request to be ready (or for the other side's start), then start at most once:
        // a failed start is an answer, not something to retry into a second flow.
        const ready = await until(() => {
            if (request.phase === VerificationPhase.Cancelled)
                return { cancelled: request.cancellationCode ?? 'cancelled' };
            if (request.verifier)
                return { verifier: request.verifier };
            return start && request.phase === VerificationPhase.Ready ? { ready: true } : null;
        }, timeoutMs, 'the other side to accept the verification');
        if (ready.cancelled)
            throw new Error(`the verification was cancelled: ${ready.cancelled}`);
        const verifier = ready.verifier ?? await request.startVerification('m.sas.v1');
        let emojis = null;
        const shown = new Promise((resolve, reject) => {
            const onSas = async (sas) => {
                verifier.off(VerifierEvent.ShowSas, onSas);
                try {
                    emojis = sas.sas.emoji.map(([, name]) => name);
                    if (await confirm(emojis))
                        await sas.confirm();
                    else
                        sas.mismatch();
                    resolve();
                } catch (e) {
                    reject(e);
                }
            };
            verifier.on(VerifierEvent.ShowSas, onSas);
            // The emoji may already be there: the verifier emits ShowSas once, possibly before this
            // listener existed (the other side can be quick while this one waited for an HTTP reply).
            const already = verifier.getShowSasCallbacks();
            if (already)
                onSas(already);
        });
        const done = verifier.verify();
        let timer;
        const timeout = new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(
                `the SAS verification did not finish in ${timeoutMs} ms (request phase ${request.phase}, ` +
                `emoji shown: ${emojis !== null}, cancellation: ${request.cancellationCode ?? 'none'})`)), timeoutMs);
        });
        try {
            await Promise.race([Promise.all([shown, done]), timeout]);
        } finally {
            clearTimeout(timer);
        }
        return emojis;
    }

    /** A new server-side key backup whose key this peer holds; resolves with its recovery key. */
    async resetKeyBackup() {
        await this.crypto.resetKeyBackup();
        const key = await until(() => this.crypto.getSessionBackupPrivateKey(), 20000, 'the backup key');
        return this.cryptoApi.encodeRecoveryKey(key);
    }

    /** Waits until the server-side backup holds at least @p count room keys (js-sdk uploads them in the background). */
    async waitForBackup(count = 1, timeoutMs = 40000) {
        const version = await until(() => this.crypto.getActiveSessionBackupVersion(), timeoutMs, 'an active backup');
        await until(async () => {
            const r = await fetch(`${this.baseUrl}/_matrix/client/v3/room_keys/version/${version}`,
                { headers: { Authorization: `Bearer ${this.client.getAccessToken()}` } });
            return r.ok && (await r.json()).count >= count;
        }, timeoutMs, `${count} room keys in the backup`);
        return version;
    }
}
