""" Password hashing with the standard library's scrypt; never stored in plain text.

A hash reads ``scrypt$n$r$p$salt$key`` (salt and key in base64), so the cost
can be raised later without breaking the hashes already stored.
"""
import base64
import hashlib
import hmac
import secrets

COST = {'n': 16384, 'r': 8, 'p': 1}
KEY_BYTES = 32
MIN_LENGTH = 8


def _key(password, salt, n, r, p):
    """ the scrypt key of password """
    return hashlib.scrypt(
        password.encode('utf-8'),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r,
        dklen=KEY_BYTES,
    )


def hash_password(password):
    """ a salted hash of password, for storing """
    salt = secrets.token_bytes(16)
    key = _key(password, salt, **COST)
    encoded = [base64.b64encode(part).decode('ascii') for part in (salt, key)]
    parameters = [str(COST[name]) for name in ('n', 'r', 'p')]
    return '$'.join(['scrypt', *parameters, *encoded])


def verify_password(password, stored):
    """ does password match the stored hash? (constant time) """
    try:
        scheme, n, r, p, salt, key = stored.split('$')
        if scheme != 'scrypt':
            return False
        expected = base64.b64decode(key)
        found = _key(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, expected)


# checked against when the account does not exist, so the answer takes as long
UNKNOWN_ACCOUNT_HASH = hash_password(secrets.token_urlsafe(16))
