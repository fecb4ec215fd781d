<?php
// Hand-written contract; replaced by `cargo php stubs` output once the extension builds.
class PresenceException extends \Exception {}
function presence_upsert(string $room, string $client_id, int $user_id, array $data = [], ?int $ttl = null): bool {}
function presence_get(string $room, string $client_id): ?array {}
function presence_room(string $room, ?int $max_age = null): array {}
function presence_remove(string $room, string $client_id): bool {}
function presence_remove_user(int $user_id): int {}
function presence_user_entries(int $user_id): array {}
function presence_rooms(string $prefix = ''): array {}
function presence_room_version(string $room): int {}
function presence_sweep(): int {}
function presence_clear(): int {}
function presence_stats(): array {}
function presence_set_namespace(string $namespace): void {}
function presence_namespace(): string {}
function presence_time(): int {}
function presence_debug_advance(int $seconds): int {}
