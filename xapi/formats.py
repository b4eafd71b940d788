"""The "format" parameter of GET statements: exact, ids and canonical.

xAPI 1.0.3 Communication 2.1.3:

- "exact" returns a statement as it was stored;
- "ids" keeps only what identifies each Agent, Group, Activity and Verb: an
  Agent or identified Group keeps its objectType and IFI, an anonymous Group
  keeps its members in ids form, an Activity its id, a Verb its id;
- "canonical" returns Activity definitions and Verb displays with one
  language per language map, chosen per map by the Accept-Language header
  (Communication 2.1.3.s4), and Agents and Groups as in "exact".
"""

from collections.abc import Callable, Mapping

from xapi.agents import IFI_PROPERTIES

# Activity definition properties that hold language maps, and the interaction
# component lists whose items hold a "description" language map.
_DEFINITION_LANGUAGE_MAPS = ("name", "description")
_INTERACTION_COMPONENTS = ("choices", "scale", "source", "target", "steps")

# A function that returns the LRS's canonical definition of an activity id, or None.
DefinitionLookup = Callable[[str], dict | None]


def format_statement(
    statement: dict,
    format_name: str,
    languages: list[str] | None = None,
    definitions: DefinitionLookup | None = None,
) -> dict:
    """Return ``statement`` in ``format_name`` ("exact", "ids" or "canonical").

    ``languages`` is the preference list from parse_accept_language.
    ``definitions`` supplies canonical activity definitions for "canonical";
    without it an activity keeps the definition in the statement. The
    argument is not changed.
    """
    if format_name == "ids":
        return _map_statement(statement, _ids_actor, _ids_activity, _ids_verb)
    if format_name == "canonical":
        chooser = _LanguageChooser(languages or [])
        return _map_statement(
            statement,
            lambda actor: actor,
            lambda activity: _canonical_activity(activity, chooser, definitions),
            lambda verb: _canonical_verb(verb, chooser),
        )
    return statement


def parse_accept_language(header: str | None) -> list[str]:
    """Return the language ranges of an Accept-Language header, most preferred first.

    Ranges with q=0 are dropped; ranges with equal weight keep their order
    (RFC 7231 section 5.3.5). A malformed weight counts as q=1.
    """
    if not header:
        return []

    weighted = []
    for position, item in enumerate(header.split(",")):
        language_range, _, parameters = item.strip().partition(";")
        language_range = language_range.strip()
        if not language_range:
            continue
        weight = _weight(parameters)
        if weight > 0:
            weighted.append((-weight, position, language_range.lower()))
    return [language_range for _, _, language_range in sorted(weighted)]


def choose_language(language_map: Mapping[str, str], languages: list[str]) -> dict[str, str]:
    """Return a language map with the single entry that best fits ``languages``.

    Each range is tried in order by RFC 4647 lookup: the whole tag first, then
    the range with trailing subtags removed. A range also matches a more
    specific tag ("en" matches "en-US"), and "*" matches anything. When
    nothing matches, the first entry of the map is returned. An empty map is returned
    as it is.
    """
    return _LanguageChooser(languages).choose(language_map)


def _weight(parameters: str) -> float:
    name, _, value = parameters.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 1.0


class _LanguageChooser:
    def __init__(self, languages: list[str]):
        self.languages = languages

    def choose(self, language_map: Mapping[str, str]) -> dict[str, str]:
        if len(language_map) <= 1:
            return dict(language_map)

        tags = {tag.lower(): tag for tag in language_map}
        for language_range in self.languages:
            tag = self._lookup(language_range, tags)
            if tag is not None:
                return {tag: language_map[tag]}

        first = next(iter(language_map))
        return {first: language_map[first]}

    @staticmethod
    def _lookup(language_range: str, tags: dict[str, str]) -> str | None:
        if language_range == "*":
            return next(iter(tags.values()))

        candidate = language_range
        while candidate:
            if candidate in tags:
                return tags[candidate]
            for lowered, tag in tags.items():
                if lowered.startswith(candidate + "-"):
                    return tag
            candidate = candidate.rpartition("-")[0]
        return None


# ---------------------------------------------------------------------------------------------------------
# Walking a statement


def _map_statement(statement: dict, actor_fn, activity_fn, verb_fn) -> dict:
    mapped = dict(statement)
    mapped["actor"] = actor_fn(statement["actor"])
    mapped["verb"] = verb_fn(statement["verb"])
    mapped["object"] = _map_object(statement["object"], actor_fn, activity_fn, verb_fn)

    if "authority" in statement:
        mapped["authority"] = actor_fn(statement["authority"])
    if "context" in statement:
        mapped["context"] = _map_context(statement["context"], actor_fn, activity_fn)
    return mapped


def _map_object(target: dict, actor_fn, activity_fn, verb_fn) -> dict:
    object_type = target.get("objectType", "Activity")
    if object_type == "Activity":
        return activity_fn(target)
    if object_type in ("Agent", "Group"):
        return actor_fn(target)
    if object_type == "SubStatement":
        return _map_statement(target, actor_fn, activity_fn, verb_fn)
    return target


def _map_context(context: dict, actor_fn, activity_fn) -> dict:
    mapped = dict(context)
    if "instructor" in context:
        mapped["instructor"] = actor_fn(context["instructor"])
    if "team" in context:
        mapped["team"] = actor_fn(context["team"])
    if "contextActivities" in context:
        mapped["contextActivities"] = {
            activity_type: [activity_fn(activity) for activity in value]
            if type(value) is list
            else activity_fn(value)
            for activity_type, value in context["contextActivities"].items()
        }
    if "contextAgents" in context:
        mapped["contextAgents"] = [
            {**entry, "agent": actor_fn(entry["agent"])} for entry in context["contextAgents"]
        ]
    if "contextGroups" in context:
        mapped["contextGroups"] = [
            {**entry, "group": actor_fn(entry["group"])} for entry in context["contextGroups"]
        ]
    return mapped


# ---------------------------------------------------------------------------------------------------------
# ids


def _ids_actor(actor: dict) -> dict:
    ids = {key: actor[key] for key in ("objectType", *IFI_PROPERTIES) if key in actor}
    identified = any(key in actor for key in IFI_PROPERTIES)
    if not identified and "member" in actor:
        ids["member"] = [_ids_actor(member) for member in actor["member"]]
    return ids


def _ids_activity(activity: dict) -> dict:
    return {key: activity[key] for key in ("objectType", "id") if key in activity}


def _ids_verb(verb: dict) -> dict:
    return {"id": verb["id"]}


# ---------------------------------------------------------------------------------------------------------
# canonical


def _canonical_activity(activity: dict, chooser: _LanguageChooser,
                        definitions: DefinitionLookup | None) -> dict:
    definition = definitions(activity["id"]) if definitions is not None else None
    if definition is None:
        definition = activity.get("definition")
    if definition is None:
        return activity
    return {**activity, "definition": _one_language_definition(definition, chooser)}


def _one_language_definition(definition: dict, chooser: _LanguageChooser) -> dict:
    filtered = dict(definition)
    for key in _DEFINITION_LANGUAGE_MAPS:
        if key in definition:
            filtered[key] = chooser.choose(definition[key])

    for key in _INTERACTION_COMPONENTS:
        if key in definition:
            filtered[key] = [
                {**component, "description": chooser.choose(component["description"])}
                if "description" in component
                else component
                for component in definition[key]
            ]
    return filtered


def _canonical_verb(verb: dict, chooser: _LanguageChooser) -> dict:
    if "display" not in verb:
        return verb
    return {**verb, "display": chooser.choose(verb["display"])}
