// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Tessera's end-to-end encryption engine: the OlmMachine of @matrix-org/matrix-sdk-crypto-wasm
// (matrix-sdk-crypto and vodozemac, as Element Web runs them) in a hidden page with no network.
// This script does no cryptography of its own and sends nothing anywhere: C++ calls its methods
// over the web channel (`host.request(id, method, args)`), sends the HTTP requests the machine
// asks for through the Matrix backend, and hands the responses back. Every argument and result is
// a JSON string. Events the machine raises on its own (room keys arriving, devices changing,
// verification steps) go to C++ as `host.notify(kind, json)`.

import * as sdk from './wasm/index.mjs';

let host = null;
let machine = null;
const verifications = new Map(); // flowId -> {request, sas}

const REQUEST_TYPES = {
    [sdk.RequestType.KeysUpload]: 'keys_upload',
    [sdk.RequestType.KeysQuery]: 'keys_query',
    [sdk.RequestType.KeysClaim]: 'keys_claim',
    [sdk.RequestType.ToDevice]: 'to_device',
    [sdk.RequestType.SignatureUpload]: 'signature_upload',
    [sdk.RequestType.RoomMessage]: 'room_message',
    [sdk.RequestType.KeysBackup]: 'keys_backup',
};
const TYPE_NUMBERS = Object.fromEntries(Object.entries(REQUEST_TYPES).map(([n, name]) => [name, Number(n)]));

const PHASES = ['created', 'requested', 'ready', 'started', 'done', 'cancelled'];

/** An outgoing request as plain JSON: what to send, and the id to mark it sent with. */
function describeRequest(r) {
    if (!r)
        return null;
    const out = { id: r.id ?? null, type: REQUEST_TYPES[r.type], body: JSON.parse(r.body) };
    if (r.event_type !== undefined)
        out.eventType = r.event_type;
    if (r.txn_id !== undefined)
        out.txnId = r.txn_id;
    if (r.room_id !== undefined)
        out.roomId = r.room_id;
    if (r.version !== undefined)
        out.version = r.version;
    return out;
}

const userIds = (list) => (list || []).map((u) => new sdk.UserId(u));

function historyVisibility(name) {
    switch (name) {
    case 'invited': return sdk.HistoryVisibility.Invited;
    case 'joined': return sdk.HistoryVisibility.Joined;
    case 'world_readable': return sdk.HistoryVisibility.WorldReadable;
    default: return sdk.HistoryVisibility.Shared;
    }
}

function describeDevice(d, ownDeviceId) {
    return {
        userId: d.userId.toString(),
        deviceId: d.deviceId.toString(),
        displayName: d.displayName ?? '',
        ed25519: d.ed25519Key ? d.ed25519Key.toBase64() : '',
        curve25519: d.curve25519Key ? d.curve25519Key.toBase64() : '',
        verified: d.isVerified(),
        locallyTrusted: d.isLocallyTrusted(),
        crossSigningTrusted: d.isCrossSigningTrusted(),
        blacklisted: d.isBlacklisted(),
        own: d.deviceId.toString() === ownDeviceId,
    };
}

function describeVerification(flowId) {
    const entry = verifications.get(flowId);
    if (!entry)
        return null;
    const { request } = entry;
    const sas = entry.sas ?? (request.getVerification() instanceof sdk.Sas ? request.getVerification() : null);
    const out = {
        flowId,
        userId: request.otherUserId.toString(),
        deviceId: request.otherDeviceId ? request.otherDeviceId.toString() : '',
        phase: PHASES[request.phase()] ?? 'unknown',
        weStarted: request.weStarted(),
        selfVerification: request.isSelfVerification(),
        done: request.isDone(),
        cancelled: request.isCancelled(),
        cancelReason: request.cancelInfo ? request.cancelInfo.reason() : '',
        cancelCode: request.cancelInfo ? request.cancelInfo.cancelCode() : '',
        emojis: [],
        decimals: [],
        sasConfirmed: false,
    };
    if (sas) {
        if (sas.canBePresented()) {
            out.emojis = (sas.emoji() || []).map((e) => ({ symbol: e.symbol, description: e.description }));
            out.decimals = Array.from(sas.decimals() || []);
        }
        out.sasConfirmed = sas.haveWeConfirmed();
        out.done = out.done || sas.isDone();
        out.cancelled = out.cancelled || sas.isCancelled();
    }
    return out;
}

function watchVerification(request) {
    const flowId = request.flowId;
    if (verifications.has(flowId))
        return;
    verifications.set(flowId, { request, sas: null });
    request.registerChangesCallback(async () => {
        const entry = verifications.get(flowId);
        const v = request.getVerification();
        if (entry && v instanceof sdk.Sas && entry.sas !== v) {
            entry.sas = v;
            v.registerChangesCallback(async () => notify('verification', describeVerification(flowId)));
        }
        notify('verification', describeVerification(flowId));
    });
    notify('verification', describeVerification(flowId));
}

function entryFor(flowId) {
    const entry = verifications.get(flowId);
    if (!entry)
        throw new Error(`no verification ${flowId}`);
    return entry;
}

// Recovery keys (base58, prefix 0x8B 0x01, a parity byte): Matrix spec "Key representation".
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function decodeRecoveryKey(text) {
    const clean = text.replace(/\s+/g, '');
    let value = 0n;
    for (const ch of clean) {
        const digit = BASE58.indexOf(ch);
        if (digit < 0)
            throw new Error('the recovery key has a character that is not in its alphabet');
        value = value * 58n + BigInt(digit);
    }
    const bytes = [];
    while (value > 0n) {
        bytes.unshift(Number(value & 0xffn));
        value >>= 8n;
    }
    for (const ch of clean) {
        if (ch !== '1')
            break;
        bytes.unshift(0);
    }
    if (bytes.length !== 35 || bytes[0] !== 0x8b || bytes[1] !== 0x01)
        throw new Error('this is not a recovery key');
    let parity = 0;
    for (const b of bytes)
        parity ^= b;
    if (parity !== 0)
        throw new Error('the recovery key has a typo (its check digit does not match)');
    return btoa(String.fromCharCode(...bytes.slice(2, 34))).replace(/=+$/, '');
}

let backupKey = null; // BackupDecryptionKey after a recovery key was accepted

// Qt 6.4 lets a page on a custom scheme load scripts but not fetch() from it, which is how the
// package loads its WebAssembly: the bytes come by XMLHttpRequest and go to it as a blob: URL.
function wasmBlobUrl() {
    const url = new URL('./wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm', import.meta.url);
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('GET', url.href);
        xhr.responseType = 'arraybuffer';
        xhr.onload = () => {
            if (xhr.response && xhr.response.byteLength > 0)
                resolve(URL.createObjectURL(new Blob([xhr.response], { type: 'application/wasm' })));
            else
                reject(new Error(`the WebAssembly module could not be read (status ${xhr.status})`));
        };
        xhr.onerror = () => reject(new Error('the WebAssembly module could not be read'));
        xhr.send();
    });
}

const methods = {
    async init({ userId, deviceId, storeName, passphrase }) {
        const t0 = performance.now();
        const blobUrl = await wasmBlobUrl();
        await sdk.initAsync(blobUrl);
        URL.revokeObjectURL(blobUrl);
        const loaded = performance.now();
        machine = await sdk.OlmMachine.initialize(new sdk.UserId(userId), new sdk.DeviceId(deviceId), storeName, passphrase);
        machine.roomKeyRequestsEnabled = false;
        machine.roomKeyForwardingEnabled = false;
        await machine.registerRoomKeyUpdatedCallback(async (infos) => {
            notify('room_keys', infos.map((i) => ({ roomId: i.roomId.toString(), sessionId: i.sessionId })));
        });
        await machine.registerDevicesUpdatedCallback(async (users) => notify('devices', users));
        await machine.registerUserIdentityUpdatedCallback(async (user) => notify('identity', [user.toString()]));
        const keys = machine.identityKeys;
        return {
            ed25519: keys.ed25519.toBase64(),
            curve25519: keys.curve25519.toBase64(),
            wasmLoadMs: Math.round(loaded - t0),
            machineMs: Math.round(performance.now() - loaded),
            versions: { sdk: sdk.getVersions().matrix_sdk_crypto, vodozemac: sdk.getVersions().vodozemac },
        };
    },

    async sync({ toDevice = [], changed = [], left = [], otkCounts = {}, fallbackTypes = null }) {
        const counts = new Map(Object.entries(otkCounts).map(([k, v]) => [k, Number(v)]));
        const processed = await machine.receiveSyncChanges(
            JSON.stringify(toDevice),
            new sdk.DeviceLists(userIds(changed), userIds(left)),
            counts,
            fallbackTypes === null ? undefined : new Set(fallbackTypes),
            new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted));
        const out = [];
        for (const p of processed) {
            const event = JSON.parse(p.rawEvent);
            if (p.type === sdk.ProcessedToDeviceEventType.Decrypted) {
                out.push({ kind: 'decrypted', event, senderVerified: p.encryptionInfo.isSenderVerified() });
            } else if (p.type === sdk.ProcessedToDeviceEventType.PlainText) {
                out.push({ kind: 'plaintext', event });
            } else if (p.type === sdk.ProcessedToDeviceEventType.UnableToDecrypt) {
                out.push({ kind: 'utd', event });
            } else {
                out.push({ kind: 'invalid', event });
            }
            // A verification request that reached us: watch it, so its steps reach C++.
            if (event.type === 'm.key.verification.request' && event.content?.transaction_id) {
                const request = machine.getVerificationRequest(new sdk.UserId(event.sender), event.content.transaction_id);
                if (request)
                    watchVerification(request);
            }
        }
        return { toDevice: out };
    },

    async outgoing() {
        return (await machine.outgoingRequests()).map(describeRequest);
    },

    async markSent({ id, type, response }) {
        await machine.markRequestAsSent(id, TYPE_NUMBERS[type], JSON.stringify(response));
        return {};
    },

    async track({ users }) {
        await machine.updateTrackedUsers(userIds(users));
        return {};
    },

    async missingSessions({ users }) {
        return describeRequest(await machine.getMissingSessions(userIds(users)));
    },

    async share({ roomId, users, settings = {} }) {
        const s = new sdk.EncryptionSettings();
        s.algorithm = sdk.EncryptionAlgorithm.MegolmV1AesSha2;
        s.historyVisibility = historyVisibility(settings.historyVisibility);
        if (typeof settings.rotationPeriodMs === 'number')
            s.rotationPeriod = BigInt(Math.round(settings.rotationPeriodMs * 1000));
        if (typeof settings.rotationPeriodMessages === 'number')
            s.rotationPeriodMessages = BigInt(settings.rotationPeriodMessages);
        s.sharingStrategy = sdk.CollectStrategy.deviceBasedStrategy(!!settings.onlyVerifiedDevices, false);
        const requests = await machine.shareRoomKey(new sdk.RoomId(roomId), userIds(users), s);
        return requests.map(describeRequest);
    },

    async encrypt({ roomId, type, content }) {
        return JSON.parse(await machine.encryptRoomEvent(new sdk.RoomId(roomId), type, JSON.stringify(content)));
    },

    async discardRoomKey({ roomId }) {
        return { discarded: await machine.invalidateGroupSession(new sdk.RoomId(roomId)) };
    },

    async decrypt({ roomId, event }) {
        try {
            const d = await machine.decryptRoomEvent(JSON.stringify(event), new sdk.RoomId(roomId),
                new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted));
            const shield = d.shieldState(false);
            return {
                clear: JSON.parse(d.event),
                senderDevice: d.senderDevice ? d.senderDevice.toString() : '',
                senderCurve25519Key: d.senderCurve25519Key,
                shield: { color: ['red', 'grey', 'none'][shield.color] ?? 'none', message: shield.message ?? '' },
            };
        } catch (e) {
            const codes = ['missing_room_key', 'unknown_message_index', 'mismatched_identity_keys', 'unknown_sender_device',
                'unsigned_sender_device', 'sender_identity_verification_violation', 'unable_to_decrypt', 'mismatched_sender'];
            return {
                error: {
                    code: e instanceof sdk.MegolmDecryptionError ? (codes[e.code] ?? 'unable_to_decrypt') : 'unable_to_decrypt',
                    message: e instanceof sdk.MegolmDecryptionError ? e.description : String(e && e.message ? e.message : e),
                    withheld: e instanceof sdk.MegolmDecryptionError ? (e.maybe_withheld ?? '') : '',
                    sessionId: event?.content?.session_id ?? '',
                },
            };
        }
    },

    // {userId, deviceIds (or ['*']), type, content} -> {messages: {user: {device: content}}, missing: [...]}
    async encryptToDevice({ userId, deviceIds, type, content }) {
        const devices = await machine.getUserDevices(new sdk.UserId(userId), 0);
        const wanted = deviceIds.includes('*') ? devices.keys().map((d) => d.toString()) : deviceIds;
        const messages = {};
        const missing = [];
        for (const deviceId of wanted) {
            const device = devices.get(new sdk.DeviceId(deviceId));
            if (!device || device.isBlacklisted() || device.isDeleted()) {
                missing.push(deviceId);
                continue;
            }
            try {
                messages[deviceId] = JSON.parse(await device.encryptToDeviceEvent(type, content));
            } catch (e) {
                missing.push(deviceId);
            }
        }
        return { messages: Object.keys(messages).length ? { [userId]: messages } : {}, missing };
    },

    async ownDevice() {
        const device = await machine.getDevice(machine.userId, machine.deviceId, 0);
        return device ? describeDevice(device, machine.deviceId.toString()) : null;
    },

    async devices({ userId }) {
        const devices = await machine.getUserDevices(new sdk.UserId(userId), 0);
        return devices.devices().map((d) => describeDevice(d, machine.deviceId.toString()));
    },

    async setLocalTrust({ userId, deviceId, trusted }) {
        const device = await machine.getDevice(new sdk.UserId(userId), new sdk.DeviceId(deviceId), 0);
        if (!device)
            throw new Error(`unknown device ${deviceId} of ${userId}`);
        await device.setLocalTrust(trusted ? sdk.LocalTrust.Verified : sdk.LocalTrust.Unset);
        return describeDevice(device, machine.deviceId.toString());
    },

    async requestVerification({ userId, deviceId }) {
        const device = await machine.getDevice(new sdk.UserId(userId), new sdk.DeviceId(deviceId), 0);
        if (!device)
            throw new Error(`unknown device ${deviceId} of ${userId}`);
        const [request, outgoing] = device.requestVerification([sdk.VerificationMethod.SasV1]);
        watchVerification(request);
        return { flowId: request.flowId, request: describeRequest(outgoing) };
    },

    async acceptVerification({ flowId }) {
        const { request } = entryFor(flowId);
        const out = request.acceptWithMethods([sdk.VerificationMethod.SasV1]);
        return { requests: out ? [describeRequest(out)] : [] };
    },

    async startSas({ flowId }) {
        const entry = entryFor(flowId);
        const started = await entry.request.startSas();
        if (!started)
            throw new Error('the emoji comparison cannot start in this state');
        const [sas, out] = started;
        entry.sas = sas;
        sas.registerChangesCallback(async () => notify('verification', describeVerification(flowId)));
        return { requests: out ? [describeRequest(out)] : [] };
    },

    async acceptSas({ flowId }) {
        const entry = entryFor(flowId);
        const v = entry.sas ?? entry.request.getVerification();
        if (!(v instanceof sdk.Sas))
            throw new Error('no emoji comparison to accept');
        entry.sas = v;
        const out = v.accept();
        return { requests: out ? [describeRequest(out)] : [] };
    },

    async confirmSas({ flowId }) {
        const entry = entryFor(flowId);
        const v = entry.sas ?? entry.request.getVerification();
        if (!(v instanceof sdk.Sas))
            throw new Error('no emoji comparison to confirm');
        const out = await v.confirm();
        return { requests: out.map(describeRequest) };
    },

    async cancelVerification({ flowId, mismatch = false }) {
        const entry = entryFor(flowId);
        const v = entry.sas ?? entry.request.getVerification();
        let out;
        if (v instanceof sdk.Sas)
            out = mismatch ? v.cancelWithCode('m.mismatched_sas') : v.cancel();
        else
            out = entry.request.cancel();
        return { requests: out ? [describeRequest(out)] : [] };
    },

    async verification({ flowId }) {
        return describeVerification(flowId);
    },

    async verifications() {
        return [...verifications.keys()].map(describeVerification);
    },

    // Recovery: the key backup's recovery key (base58). `backup` is GET /room_keys/version.
    async useRecoveryKey({ recoveryKey, backup }) {
        const key = sdk.BackupDecryptionKey.fromBase64(decodeRecoveryKey(recoveryKey));
        const expected = backup?.auth_data?.public_key;
        if (key.megolmV1PublicKey.publicKeyBase64 !== expected)
            throw new Error('this recovery key does not open the key backup on the server');
        await machine.saveBackupDecryptionKey(key, backup.version);
        backupKey = { key, version: backup.version };
        return { version: backup.version };
    },

    // `rooms` is the body of GET /room_keys/keys: decrypts each session with the backup key and imports them.
    async importBackup({ rooms, version }) {
        if (!backupKey || backupKey.version !== version)
            throw new Error('no recovery key was given for this backup version');
        const map = new Map();
        let failures = 0;
        for (const [roomId, room] of Object.entries(rooms || {})) {
            const sessions = new Map();
            for (const [sessionId, data] of Object.entries(room.sessions || {})) {
                try {
                    const s = data.session_data;
                    sessions.set(sessionId, JSON.parse(backupKey.key.decryptV1(s.ephemeral, s.mac, s.ciphertext)));
                } catch (e) {
                    ++failures;
                }
            }
            map.set(new sdk.RoomId(roomId), sessions);
        }
        const result = await machine.importBackedUpRoomKeys(map, undefined, version);
        return { imported: result.importedCount, total: result.totalCount, failures };
    },

    async roomKeyCounts() {
        const c = await machine.roomKeyCounts();
        return { total: c.total, backedUp: c.backedUp };
    },

    async close() {
        if (machine)
            machine.close();
        machine = null;
        return {};
    },
};

function notify(kind, payload) {
    if (host)
        host.notify(kind, JSON.stringify(payload));
}

function describeError(e) {
    if (e instanceof Error)
        return e.message;
    if (e && typeof e === 'object' && 'message' in e)
        return String(e.message);
    return String(e);
}

// Calls run one at a time, in the order C++ sent them: the OlmMachine's own locks cover the
// store, and keeping C++'s order keeps sync processing and encryption in a known sequence.
let queue = Promise.resolve();

function onRequest(id, method, argsJson) {
    queue = queue.then(async () => {
        const fn = methods[method];
        if (!fn) {
            host.fail(id, `unknown method ${method}`);
            return;
        }
        if (!machine && method !== 'init') {
            host.fail(id, 'the encryption engine has not been initialised');
            return;
        }
        try {
            const result = await fn(JSON.parse(argsJson || '{}'));
            host.reply(id, JSON.stringify(result ?? null));
        } catch (e) {
            host.fail(id, describeError(e));
        }
    });
}

window.addEventListener('error', (e) => host && host.notify('error', JSON.stringify({ message: String(e.message) })));
window.addEventListener('unhandledrejection', (e) => host && host.notify('error', JSON.stringify({ message: describeError(e.reason) })));

new QWebChannel(qt.webChannelTransport, (channel) => {
    host = channel.objects.host;
    host.request.connect(onRequest);
    host.ready();
});
