"""Inverse Functional Identifiers (IFIs) of xAPI Agents and Groups.

xAPI 1.0.3 Data 2.4.2.3: an Agent or identified Group is identified by
exactly one of mbox, mbox_sha1sum, openid or account. These helpers assume a
validated Agent or Group.
"""

import hashlib

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")


def agent_ifi(agent: dict) -> tuple[str, str] | None:
    """Return the IFI of an Agent or Group as a (kind, value) pair.

    The kinds are "mbox" (a normalised mailto IRI, see normalize_mbox),
    "mbox_sha1sum" (lower-case hex), "openid" and "account" (the value is
    "homePage|name"). Returns None for an anonymous Group, which has no IFI.
    """
    mbox = agent.get("mbox")
    if mbox is not None:
        return ("mbox", normalize_mbox(mbox))

    sha1sum = agent.get("mbox_sha1sum")
    if sha1sum is not None:
        return ("mbox_sha1sum", sha1sum.lower())

    openid = agent.get("openid")
    if openid is not None:
        return ("openid", openid)

    account = agent.get("account")
    if account is not None:
        return ("account", f"{account['homePage']}|{account['name']}")

    return None


def mbox_sha1sum(mbox: str) -> str:
    """Return the hex SHA-1 of a mailto IRI, hashed exactly as given.

    xAPI 1.0.3 Data 2.4.2.3 defines mbox_sha1sum as the SHA-1 of the whole
    "mailto:..." value. Pass normalize_mbox(mbox) to hash the recommended
    form with a lower-case domain.
    """
    return hashlib.sha1(mbox.encode("utf-8")).hexdigest()


def normalize_mbox(mbox: str) -> str:
    """Lower-case the "mailto:" scheme and the domain of a mailto IRI.

    xAPI 1.0.3 Data 2.3.1 and 2.4.2.3 treat the domain of an email address as
    case-insensitive; the local part keeps its case.
    """
    scheme, _, address = mbox.partition(":")
    local_part, at, domain = address.rpartition("@")
    if not at:
        return f"{scheme.lower()}:{address}"
    return f"{scheme.lower()}:{local_part}@{domain.lower()}"


def agent_identifiers(agent: dict) -> list[tuple[str, str]]:
    """Return every identifier under which an Agent or Group can be found.

    This is the IFI from agent_ifi and, for an mbox, also its mbox_sha1sum
    form: the hash of the normalised mbox and, when it differs, the hash of
    the mbox as given. An anonymous Group has no identifiers.
    """
    ifi = agent_ifi(agent)
    if ifi is None:
        return []

    identifiers = [ifi]
    kind, value = ifi
    if kind == "mbox":
        identifiers.append(("mbox_sha1sum", mbox_sha1sum(value)))
        raw_mbox = agent["mbox"]
        if raw_mbox != value:
            identifiers.append(("mbox_sha1sum", mbox_sha1sum(raw_mbox)))
    return identifiers
