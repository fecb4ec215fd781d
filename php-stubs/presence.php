<?php

// Stubs for presence

namespace {
    /**
     * Thrown when the store cannot do what was asked: full, unusable segment, debug clock off.
     */
    class PresenceException extends \Exception {
        public function __construct() {}
    }

    /**
     * What changed in the room since version `$since`: `['version' => int, 'changed' => list of
     * entries, 'removed' => list of ['client_id' => string, 'user_id' => int]]`, or null when the
     * room's change log no longer reaches back to `$since` (then read the whole room). `$since` 0
     * means "I saw the room empty". With `$whole_users`, `changed` holds every live entry of every
     * user touched since `$since`. With `$max_users` above 0, also null when more than that many
     * distinct users have a changed entry: a caller that sends the room's first rows beyond that
     * many changes (the bridge's Heartbeat) is spared building entries it would not send.
     *
     * @param string $room
     * @param int $since
     * @param bool $whole_users
     * @param int $max_users
     * @return array|null
     */
    function presence_changes(string $room, int $since, bool $whole_users = false, int $max_users = 0): ?array {}

    /**
     * Removes every entry of the current namespace (test resets, cleanup commands).
     *
     * @return int
     */
    function presence_clear(): int {}

    /**
     * Moves the store clock forward for every process on this segment that runs with
     * `presence.debug_clock=1` (others keep the wall clock); returns the total offset. Needs
     * `presence.debug_clock=1`.
     *
     * @param int $seconds
     * @return int
     */
    function presence_debug_advance(int $seconds): int {}

    /**
     * Sets the store clock back to the wall clock for every process on this segment; returns the
     * offset it had. Needs `presence.debug_clock=1`.
     *
     * @return int
     */
    function presence_debug_reset_clock(): int {}

    /**
     * Holds the room's shard lock, mid-change, for `$ms` milliseconds: lets tests kill a process
     * that holds the lock. Needs `presence.debug_clock=1`.
     *
     * @param string $room
     * @param int $ms
     * @return void
     */
    function presence_debug_stall(string $room, int $ms): void {}

    /**
     * Writes my entry, as `presence_upsert()`, then reads the room, as `presence_room()` (in one
     * lock pass where the room lives in one shard). Returns the room's entries, mine included.
     *
     * @param string $room
     * @param string $client_id
     * @param int $user_id
     * @param array|null $data
     * @param int|null $ttl
     * @param int|null $max_age
     * @param string|null $client_prefix
     * @return array
     */
    function presence_exchange(string $room, string $client_id, int $user_id, ?array $data = null, ?int $ttl = null, ?int $max_age = null, ?string $client_prefix = null): array {}

    /**
     * One live entry, or null.
     *
     * @param string $room
     * @param string $client_id
     * @return array|null
     */
    function presence_get(string $room, string $client_id): ?array {}

    /**
     * The current namespace.
     *
     * @return string
     */
    function presence_namespace(): string {}

    /**
     * Removes one entry; true when something was removed.
     *
     * @param string $room
     * @param string $client_id
     * @return bool
     */
    function presence_remove(string $room, string $client_id): bool {}

    /**
     * Removes every entry of a user in the current namespace; returns how many.
     *
     * @param int $user_id
     * @return int
     */
    function presence_remove_user(int $user_id): int {}

    /**
     * Live entries of a room, newest first; with `$max_age`, only those written within that many
     * seconds (presence-api's `$timeout`); with `$client_prefix`, only those whose client id starts
     * with it.
     *
     * @param string $room
     * @param int|null $max_age
     * @param string|null $client_prefix
     * @return array
     */
    function presence_room(string $room, ?int $max_age = null, ?string $client_prefix = null): array {}

    /**
     * One room's live entries, distinct user ids and newest write in each of `$namespaces`, in one
     * walk of the store: under each key of `$namespaces` (a blog id, say),
     * `['entries' => int, 'users' => int[], 'updated' => int]`, zeros where the room is empty.
     *
     * @param array $namespaces
     * @param string $room
     * @return array
     */
    function presence_room_counts(array $namespaces, string $room): array {}

    /**
     * The live entries of the room's first `$users` users (1 to 1000) by each user's newest write
     * (ties: the lower user id first), plus every live entry of `$user_id` (0: none), newest first
     * and shaped as `presence_room()`'s: `['entries' => [...], 'users' => int]`, where `users`
     * counts the distinct users (> 0) with a live entry in the room. User 0's entries are neither
     * picked nor counted. Only the picked users' entries become PHP arrays.
     *
     * @param string $room
     * @param int $users
     * @param int $user_id
     * @return array
     */
    function presence_room_top(string $room, int $users, int $user_id = 0): array {}

    /**
     * The room's change counter: compare for equality to skip work when nothing changed.
     *
     * @param string $room
     * @return int
     */
    function presence_room_version(string $room): int {}

    /**
     * Live rooms whose name starts with `$prefix`, as `presence_rooms()` lists them, with only
     * their name and version: `[['room' => string, 'version' => int], ...]`. No room's entries are
     * walked (what a caller that only watches versions needs, on every Heartbeat tick).
     *
     * @param string|null $prefix
     * @return array
     */
    function presence_room_versions(?string $prefix = null): array {}

    /**
     * Live rooms whose name starts with `$prefix`, with entry and distinct-user counts.
     *
     * @param string|null $prefix
     * @return array
     */
    function presence_rooms(?string $prefix = null): array {}

    /**
     * Sets the namespace for the rest of this request (sites and blogs use one each).
     *
     * @param string $namespace
     * @return void
     */
    function presence_set_namespace(string $namespace): void {}

    /**
     * Counters of the whole segment plus where it lives.
     *
     * @return array
     */
    function presence_stats(): array {}

    /**
     * Reclaims expired entries of every namespace; returns how many.
     *
     * @return int
     */
    function presence_sweep(): int {}

    /**
     * The store's clock in unix seconds, including the debug offset where `presence.debug_clock=1`.
     *
     * @return int
     */
    function presence_time(): int {}

    /**
     * Creates or refreshes the entry (`room`, `client_id`). Returns true when the room changed (a new
     * entry, or new `user_id`/`data`), false when only the entry's timestamps were refreshed.
     *
     * @param string $room
     * @param string $client_id
     * @param int $user_id
     * @param array|null $data
     * @param int|null $ttl
     * @return bool
     */
    function presence_upsert(string $room, string $client_id, int $user_id, ?array $data = null, ?int $ttl = null): bool {}

    /**
     * A user's live entries across the rooms of the current namespace, newest first.
     *
     * @param int $user_id
     * @return array
     */
    function presence_user_entries(int $user_id): array {}
}
