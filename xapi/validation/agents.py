"""Checks for Agents, Groups, accounts and the authority (xAPI 1.0.3 Data
2.4.2 and 2.4.9)."""

from xapi.errors import ValidationError
from xapi.validation.primitives import (
    MAX_IDENTIFIER_BYTES,
    check_identifier_length,
    check_iri,
    check_irl,
    check_mbox,
    check_no_control_characters,
    check_properties,
    check_sha1_hex,
    child_path,
    item_path,
    require_array,
    require_object,
    require_string,
)

_IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
_AGENT_PROPERTIES = frozenset({"objectType", "name", *_IFI_PROPERTIES})
_GROUP_PROPERTIES = frozenset({"objectType", "name", "member", *_IFI_PROPERTIES})
_ACCOUNT_PROPERTIES = frozenset({"homePage", "name"})
_ACCOUNT_REQUIRED = ("homePage", "name")


def validate_actor(actor: object, path: str) -> None:
    """Check an Agent or a Group, chosen by "objectType" (default Agent)."""
    require_object(actor, path, "an Agent or Group object")

    object_type = actor.get("objectType", "Agent")
    if object_type == "Agent":
        validate_agent(actor, path)
    elif object_type == "Group":
        validate_group(actor, path)
    else:
        raise ValidationError(
            f"invalid objectType {object_type!r} for an actor: expected 'Agent' or 'Group'",
            child_path(path, "objectType"),
        )


def validate_agent(agent: object, path: str) -> None:
    """Check an Agent: optional name, exactly one IFI (Data 2.4.2.1)."""
    require_object(agent, path, "an Agent object")
    object_type = agent.get("objectType", "Agent")
    if object_type != "Agent":
        raise ValidationError(
            f"invalid objectType {object_type!r}: expected 'Agent'",
            child_path(path, "objectType"),
        )
    check_properties(agent, _AGENT_PROPERTIES, (), path, "an Agent")

    _check_name(agent, path)
    if _check_ifis(agent, path) == 0:
        raise ValidationError(
            "an Agent must have exactly one of mbox, mbox_sha1sum, openid or account, found none",
            path,
        )


def validate_group(group: object, path: str) -> None:
    """Check an anonymous or identified Group (Data 2.4.2.2).

    An identified Group has exactly one IFI and may list members; an
    anonymous Group has no IFI and must list at least one member. Members
    are Agents, never Groups.
    """
    require_object(group, path, "a Group object")
    check_properties(group, _GROUP_PROPERTIES, ("objectType",), path, "a Group")

    if group["objectType"] != "Group":
        raise ValidationError(
            f"invalid objectType {group['objectType']!r}: expected 'Group'",
            child_path(path, "objectType"),
        )

    _check_name(group, path)
    identified = _check_ifis(group, path) == 1

    if "member" not in group:
        if not identified:
            raise ValidationError(
                "an anonymous Group (one without mbox, mbox_sha1sum, openid or account) "
                "must list its Agents in 'member'",
                child_path(path, "member"),
            )
        return

    _check_members(group["member"], child_path(path, "member"), identified)


def validate_identified_actor(actor: object, path: str) -> None:
    """Check an Agent or an identified Group, as the "agent" query parameter needs."""
    validate_actor(actor, path)

    if actor.get("objectType") == "Group" and not any(key in actor for key in _IFI_PROPERTIES):
        raise ValidationError(
            "must be an Agent or an identified Group (with mbox, mbox_sha1sum, openid "
            "or account), not an anonymous Group",
            path,
        )


def validate_authority(authority: object, path: str) -> None:
    """Check an authority: an Agent, or a Group of two Agents for 3-legged OAuth (Data 2.4.9)."""
    validate_actor(authority, path)

    if authority.get("objectType") == "Group":
        member = authority.get("member")
        if member is None or len(member) != 2:
            raise ValidationError(
                "an authority Group must have exactly two member Agents (the OAuth consumer and the user)",
                child_path(path, "member"),
            )


def _check_members(member: object, path: str, identified: bool) -> None:
    require_array(member, path, "an array of Agent objects")
    if not member and not identified:
        raise ValidationError("an anonymous Group must have at least one member", path)

    for index, agent in enumerate(member):
        agent_path = item_path(path, index)
        if type(agent) is dict and agent.get("objectType") == "Group":
            raise ValidationError(
                "a Group must not contain Groups: members must be Agents",
                child_path(agent_path, "objectType"),
            )
        validate_agent(agent, agent_path)


def _check_name(actor: dict, path: str) -> None:
    if "name" in actor:
        require_string(actor["name"], child_path(path, "name"))


def _check_ifis(actor: dict, path: str) -> int:
    """Check each IFI present and return how many there are (0 or 1)."""
    found = [key for key in _IFI_PROPERTIES if key in actor]
    if len(found) > 1:
        raise ValidationError(
            f"must have exactly one inverse functional identifier, found {', '.join(found)}",
            path,
        )
    if not found:
        return 0

    key = found[0]
    value = actor[key]
    key_path = child_path(path, key)
    if key == "mbox":
        check_mbox(value, key_path)
        check_identifier_length(value, key_path, "mbox")
    elif key == "mbox_sha1sum":
        check_sha1_hex(value, key_path)
    elif key == "openid":
        check_iri(value, key_path, kind="OpenID URI")
        check_identifier_length(value, key_path, "openid")
    else:
        _check_account(value, key_path)
    return 1


def _check_account(account: object, path: str) -> None:
    """Check an account object: homePage IRL and a non-empty name (Data 2.4.2.4)."""
    require_object(account, path, "an account object")
    check_properties(account, _ACCOUNT_PROPERTIES, _ACCOUNT_REQUIRED, path, "an account")

    check_irl(account["homePage"], child_path(path, "homePage"))

    name = account["name"]
    name_path = child_path(path, "name")
    require_string(name, name_path)
    if not name:
        raise ValidationError("must not be empty: the account name identifies the user", name_path)
    check_no_control_characters(name, name_path)

    # The LRS indexes homePage and name as one value, so the limit applies to both together.
    combined = f"{account['homePage']}|{name}"
    if len(combined) * 4 > MAX_IDENTIFIER_BYTES:
        check_identifier_length(combined, path, "account (homePage and name)")
