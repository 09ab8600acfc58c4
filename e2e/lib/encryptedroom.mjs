// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The start the encryption scenarios share: a test homeserver seeded with alice and bob (password
// "<user>-password") and the encrypted room "Secret" (#secret) that alice created and bob joined.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Starts the homeserver on @p ctx; resolves with it and the room's id. */
export async function startEncryptedRoom(ctx, serverName) {
    const seed = {
        users: [
            { user: 'alice', password: 'alice-password', displayname: 'Alice' },
            { user: 'bob', password: 'bob-password', displayname: 'Bob' },
        ],
        rooms: [{
            creator: 'alice', alias: 'secret', name: 'Secret', preset: 'private_chat', join: ['bob'],
            initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
        }],
    };
    const seedFile = path.join(ctx.work, 'seed.json');
    await writeFile(seedFile, JSON.stringify(seed));
    const hs = await ctx.homeserver(['--server-name', serverName, '--seed', seedFile]);
    const roomId = (await hs.get(`/_matrix/client/v3/directory/room/${encodeURIComponent(`#secret:${serverName}`)}`)).room_id;
    return { hs, roomId };
}
