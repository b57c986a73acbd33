"""Backup codes: issued ten at a time, stored only as a slow salted hash, each usable once."""

import re
import secrets

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.utils import timezone

from ppda.models import BackupCode

# Unambiguous characters only (no 0/o, 1/l/i): codes are copied from paper.
BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 12
_BACKUP_CODE_RE = re.compile(rf"^[{BACKUP_CODE_ALPHABET}]{{{BACKUP_CODE_LENGTH}}}$")


class _BackupCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with its own work factor: ten codes are hashed in one request, so Argon2's 0.2 s each is
    too slow, but a plain digest would let a stolen table be brute-forced (the lookup prefix is stored)."""

    algorithm = "pbkdf2_sha256_backup"

    def __init__(self):
        self.iterations = settings.BACKUP_CODE_HASH_ITERATIONS


def backup_code_normalise(code: str) -> str:
    """What the user typed, without spaces or hyphens, lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def backup_code_format(code: str) -> str:
    """Group a code in fours for reading: abcd-efgh-jkmn."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def backup_codes_generate(*, user) -> list[str]:
    """Replace the user's backup codes with fresh ones and return them, formatted, to show once.

    Only a salted, slow hash (PBKDF2) of each code is stored; the codes cannot be shown again.
    """
    now = timezone.now()
    BackupCode.objects.filter(user=user).delete()
    codes = []
    lookups = set()
    while len(codes) < settings.BACKUP_CODE_COUNT:
        code = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        if code[:4] in lookups:
            continue  # keep the lookup unique per user so a check hashes one candidate
        lookups.add(code[:4])
        codes.append(code)
    hasher = _BackupCodeHasher()
    BackupCode.objects.bulk_create(
        BackupCode(user=user, lookup=code[:4], code_hash=hasher.encode(code, hasher.salt()), created_at=now)
        for code in codes
    )
    return [backup_code_format(code) for code in codes]


def backup_code_use(*, user, code: str) -> bool:
    """Spend one unused backup code. A code works once: the claim is a conditional update."""
    code = backup_code_normalise(code)
    if not _BACKUP_CODE_RE.match(code):
        return False
    hasher = _BackupCodeHasher()
    for candidate in BackupCode.objects.filter(user=user, lookup=code[:4], used_at__isnull=True):
        if hasher.verify(code, candidate.code_hash):
            claimed = BackupCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=timezone.now())
            return claimed == 1
    return False


def backup_codes_remaining(*, user) -> int:
    """How many unused backup codes the user has."""
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()
