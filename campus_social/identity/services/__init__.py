"""Writes to identity: registering residents, card login, unlocking and renewing cards,
reader devices and sessions.  Every public service takes the acting resident and checks it."""

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus_social.audit.services import audit_record
from campus_social.common.errors import (
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from campus_social.common.ratelimit import client_address, rate_limit_hit
from campus_social.common.realtime import resident_send_on_commit
from campus_social.common.text import text_clean
from campus_social.identity.cards import card_hash, parse_card_id, parse_pin, refuse_my_number
from campus_social.identity.models import (
    CHILD_UNTIL_AGE,
    Card,
    District,
    GuardianLink,
    Organisation,
    OrganisationRole,
    ReaderDevice,
    Resident,
    ResidentSession,
    age_on,
)
from campus_social.identity.selectors import Actor, Operator, require_city_staff
from campus_social.search.readings import reading_for

_AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"

# --- Card login -----------------------------------------------------------------------------


def card_login(*, request: HttpRequest, card_id: object, pin: object) -> Resident:
    """Sign a resident in by card and PIN, starting a session on ``request``.

    Refusals raise: ``RateLimited`` (too many attempts from this address or on this card, with
    ``retry_after``), ``Invalid`` (malformed input or a My Number), ``Unauthenticated`` (unknown
    or replaced card, wrong PIN — with ``attempts_left``), ``Locked`` (card locked),
    ``Forbidden`` (account deactivated).  Every attempt is audited; wrong-PIN counts persist
    through refusals.
    """
    _card_login_rate_limit(client_address(request), "address", settings.CARD_LOGIN_RATE_PER_ADDRESS)
    try:
        normalised = parse_card_id(card_id)
        valid_pin = parse_pin(pin)
    except Invalid as error:
        audit_record(actor=None, action="login.refused", detail={"reason": error.code})
        raise
    hashed_card = card_hash(normalised)
    _card_login_rate_limit(hashed_card, "card", settings.CARD_LOGIN_RATE_PER_CARD)
    resident = _card_check_pin(hashed_card, valid_pin)
    _session_start(request, resident)
    return resident


def operator_authenticate(*, request: HttpRequest, login_name: str, password: str) -> Resident:
    """Check an operator's login name and password, for the admin site's sign-in (whose own
    view then starts the session).

    Throttled as card login is: per address, counted together with card sign-ins, and per
    login name (``RateLimited``); an unknown name, a wrong password and an account that is not
    an operator's all raise the same ``Unauthenticated``.  Every attempt is audited with
    ``via: admin`` (``login.succeeded``, ``login.wrong_password``, ``login.rate_limited``).
    """
    _card_login_rate_limit(client_address(request), "address", settings.CARD_LOGIN_RATE_PER_ADDRESS)
    name_key = hashlib.sha256(login_name.encode()).hexdigest()  # the name stays out of the cache
    _card_login_rate_limit(name_key, "operator", settings.CARD_LOGIN_RATE_PER_CARD)
    resident = authenticate(request, login_name=login_name, password=password)
    if not isinstance(resident, Resident) or not resident.is_staff:
        audit_record(actor=None, action="login.wrong_password", detail={"via": "admin"})
        raise Unauthenticated(
            _("The login name or the password is not correct."), code="wrong_password"
        )
    audit_record(actor=resident, action="login.succeeded", detail={"via": "admin"})
    return resident


def _card_login_rate_limit(ident: str, scope: str, rate: str) -> None:
    wait = rate_limit_hit(scope=f"card_login_{scope}", ident=ident, rate=rate)
    if wait is not None:
        audit_record(actor=None, action="login.rate_limited", detail={"per": scope})
        raise RateLimited(
            _("Too many sign-in attempts. Please wait %(seconds)d seconds and try again.")
            % {"seconds": wait},
            retry_after=wait,
        )


def _card_check_pin(hashed_card: str, pin: str) -> Resident:
    outcome = _card_attempt(hashed_card, pin)
    if isinstance(outcome, Resident):
        return outcome
    raise outcome


def _card_attempt(hashed_card: str, pin: str) -> Resident | Exception:
    """Check the PIN under a row lock and record the attempt; the refusal is returned, not
    raised, so the failed-attempt count and audit event commit."""
    with transaction.atomic():
        card = (
            Card.objects.select_for_update()
            .select_related("resident")
            .filter(card_hash=hashed_card)
            .first()
        )
        if card is None:
            make_password(pin)  # the same work as a real check, so timing tells nothing
            audit_record(actor=None, action="login.unknown_card")
            return Unauthenticated(
                _(
                    "This card is not registered with Campus Social. Please ask at the "
                    "resident services counter of the city office to register."
                ),
                code="unknown_card",
            )
        if card.retired_at is not None:
            audit_record(actor=None, action="login.replaced_card", target=card)
            return Unauthenticated(
                _("This card has been replaced by a newer card. Please use your new card."),
                code="card_replaced",
            )
        if card.is_locked:
            audit_record(actor=None, action="login.card_locked", target=card)
            return _card_locked_error()
        if not check_password(pin, card.pin_hash):
            card.failed_pin_attempts += 1
            attempts_left = max(settings.CARD_PIN_ATTEMPTS - card.failed_pin_attempts, 0)
            if attempts_left == 0:
                card.locked_at = timezone.now()
            card.save(update_fields=["failed_pin_attempts", "locked_at"])
            audit_record(
                actor=None,
                action="login.wrong_pin",
                target=card,
                detail={"attempts_left": attempts_left},
            )
            if attempts_left == 0:
                audit_record(actor=None, action="card.locked", target=card)
                return _card_locked_error()
            return Unauthenticated(
                ngettext(
                    "The PIN is not correct. %(count)d more wrong PIN will lock the card.",
                    "The PIN is not correct. %(count)d more wrong PINs will lock the card.",
                    attempts_left,
                )
                % {"count": attempts_left},
                code="wrong_pin",
                attempts_left=attempts_left,
            )
        if not card.resident.is_active:
            audit_record(actor=card.resident, action="login.inactive", target=card)
            return Forbidden(
                _("This account is not active. Please ask at the city office."),
                code="account_inactive",
            )
        card.failed_pin_attempts = 0
        card.last_used_at = timezone.now()
        card.save(update_fields=["failed_pin_attempts", "last_used_at"])
        return card.resident


def _card_locked_error() -> Locked:
    return Locked(
        _(
            "This card is locked after three wrong PINs. Please bring it to the resident "
            "services counter of the city office, where staff will unlock it."
        ),
        code="card_locked",
    )


def _session_start(request: HttpRequest, resident: Resident) -> None:
    """Start a new session for ``resident`` on ``request``.

    A sign-in on a session that is already signed in (the same card again, or another one at a
    shared kiosk) first ends that session exactly as signing out would — its record, its
    sockets, audited — so the new session never inherits the earlier key or resident.
    """
    _session_end_here(request, reason="replaced")
    django_login(request, resident, backend=_AUTH_BACKEND)
    session: SessionBase = request.session
    assert session.session_key is not None  # login() has just saved the session
    ResidentSession.objects.create(
        resident=resident,
        session_key=session.session_key,
        expires_at=session.get_expiry_date(),
        user_agent=request.headers.get("User-Agent", "")[:200],
    )
    audit_record(actor=resident, action="login.succeeded")


def session_end_current(*, request: HttpRequest) -> None:
    """Sign out of this session (and forget it in the resident's session list)."""
    if not _session_end_here(request, reason=""):
        django_logout(request)  # not signed in: whatever the session holds still goes


def _session_end_here(request: HttpRequest, *, reason: str) -> bool:
    """End the session of ``request`` if a resident is signed in on it: the record goes, the
    logout is audited (with ``reason`` when it is not a plain sign-out), its sockets close after
    commit, and the session data is flushed, so a later login gets a new key.  Returns whether
    there was such a session."""
    resident = getattr(request, "user", None)  # a request that skipped the middleware has none
    if not isinstance(resident, Resident):
        return False
    session_key = request.session.session_key
    ResidentSession.objects.filter(session_key=session_key).delete()
    audit_record(actor=resident, action="logout", detail={"reason": reason} if reason else None)
    _close_sockets_on_commit(resident, session_key)
    django_logout(request)
    return True


def session_end(*, resident: Resident, session_id: int) -> None:
    """End one of the resident's own sessions, wherever it is signed in."""
    record = ResidentSession.objects.filter(resident=resident, pk=session_id).first()
    if record is None:
        raise NotFound(_("No such session."))
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    session_store(session_key=record.session_key).delete()
    record.delete()
    audit_record(actor=resident, action="session.ended", detail={"session": session_id})
    _close_sockets_on_commit(resident, record.session_key)


def _close_sockets_on_commit(resident: Resident, session_key: str | None) -> None:
    """The websockets opened by an ended session close too (see ``messaging.consumers``)."""
    resident_send_on_commit(resident.pk, {"type": "session.ended", "session_key": session_key})


def resident_deactivate(*, actor: Actor, resident_id: int) -> Resident:
    """City staff deactivate a resident: every session ends and every open socket closes.
    Audited as ``resident.deactivated``."""
    require_city_staff(actor)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().filter(pk=resident_id).first()
        if resident is None:
            raise NotFound(_("No such resident."))
        if resident.pk == getattr(actor, "pk", None):
            raise Invalid(_("You cannot deactivate yourself."), code="invalid")
        resident.is_active = False
        resident.save(update_fields=["is_active"])
        session_store = import_module(settings.SESSION_ENGINE).SessionStore
        for record in ResidentSession.objects.filter(resident=resident):
            session_store(session_key=record.session_key).delete()
        ResidentSession.objects.filter(resident=resident).delete()
        audit_record(actor=actor, action="resident.deactivated", target=resident)
        resident_send_on_commit(resident.pk, {"type": "resident.deactivated"})
    return resident


def resident_reactivate(*, actor: Actor, resident_id: int) -> Resident:
    require_city_staff(actor)
    resident = Resident.objects.filter(pk=resident_id).first()
    if resident is None:
        raise NotFound(_("No such resident."))
    resident.is_active = True
    resident.save(update_fields=["is_active"])
    audit_record(actor=actor, action="resident.reactivated", target=resident)
    return resident


def resident_language_set(*, resident: Resident, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("Unknown language."), code="invalid_language")
    resident.language = language
    resident.save(update_fields=["language"])


# --- Registration at the counter --------------------------------------------------------------


@dataclass(frozen=True)
class RoleGrant:
    organisation_slug: str
    role: str

    @classmethod
    def parse(cls, text: str) -> "RoleGrant":
        """``ORG_SLUG:ROLE``, as the command line writes it."""
        slug, _sep, role = text.partition(":")
        return cls(organisation_slug=slug.strip(), role=role.strip())


_NAME_SPLIT = re.compile(r"[\s\u3000]+")
_MAX_AGE = 130


def resident_register(
    *,
    actor: Actor,
    name: str,
    birth_date: date | None,
    card_id: str,
    pin: str,
    given_name: str = "",
    name_kana: str = "",
    district: str = "",
    email: str = "",
    language: str = "ja",
    roles: Iterable[RoleGrant] = (),
    guardian_card_id: str = "",
) -> Resident:
    """Register a resident with their card, as city staff do at the counter.

    A resident under 18 is registered only with an adult guardian's card, and is linked to that
    guardian.  Every problem is reported at once, per field, and nothing is created.
    Audited as ``resident.registered``.
    """
    require_city_staff(actor)
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def one_line(field: str, value: str) -> str:
        # The one text rule (campus_social.common.text): NFC, one line, no control or bidi
        # characters; a name of nothing but invisible characters is no name.
        try:
            return text_clean(value or "").strip()
        except Invalid as error:
            fail(field, error.message)
            return ""

    name = _NAME_SPLIT.sub(" ", one_line("name", name)).strip()
    given_name = one_line("given_name", given_name) or name.split(" ")[-1]
    # Left empty (the API allows it), the reading search would propose is kept; the staff page
    # shows its proposal for checking first (campus_social.search.readings).
    name_kana = one_line("name_kana", name_kana) or (reading_for(name) if name else "")
    if not name and "name" not in errors:
        fail("name", _("Please enter the name."))
    for field, value, limit in (("name", name, 150), ("given_name", given_name, 80)):
        if len(value) > limit:
            fail(field, _("Please use at most %(limit)d characters.") % {"limit": limit})
    for field, value in (("name", name), ("name_kana", name_kana), ("email", email)):
        try:
            refuse_my_number(value, field=field)
        except Invalid as error:
            fail(field, error.message)

    today = timezone.localdate()
    age: int | None = None
    if birth_date is None:
        fail("birth_date", _("Please enter the birth date."))
    elif birth_date > today:
        fail("birth_date", _("The birth date cannot be in the future."))
    else:
        age = age_on(birth_date, today)
        if age > _MAX_AGE:
            fail("birth_date", _("Please check the birth date."))

    home: District | None = None
    if district:
        home = District.objects.filter(slug=district).first()
        if home is None:
            fail(
                "district", _("There is no district with the code “%(code)s”.") % {"code": district}
            )

    hashed_card = ""
    try:
        hashed_card = card_hash(parse_card_id(card_id))
    except Invalid as error:
        fail("card_id", error.message)
    else:
        if Card.objects.filter(card_hash=hashed_card).exists():
            fail("card_id", _("This card is already registered."))
    try:
        parse_pin(pin)
    except Invalid as error:
        fail("pin", error.message)

    if language not in dict(settings.LANGUAGES):
        fail("language", _("Unknown language."))

    is_child = age is not None and age < CHILD_UNTIL_AGE
    grants = _resolve_roles(list(roles), is_child=is_child, fail=fail)
    guardian = _resolve_guardian(guardian_card_id, is_child=is_child, age=age, fail=fail)

    if errors:
        raise Invalid(_("Some of the information is not valid. Please check it."), fields=errors)

    with transaction.atomic():
        resident = Resident.objects.create_user(
            name=name,
            given_name=given_name,
            name_kana=name_kana,
            birth_date=birth_date,
            district=home,
            email=email,
            language=language,
        )
        try:
            Card.objects.create(
                resident=resident, card_hash=hashed_card, pin_hash=make_password(pin)
            )
        except IntegrityError:
            # Another counter registered the same card a moment ago.
            raise Invalid(
                _("This card is already registered."),
                fields={"card_id": [_("This card is already registered.")]},
            ) from None
        for organisation, role in grants:
            OrganisationRole.objects.create(resident=resident, organisation=organisation, role=role)
        if guardian is not None:
            GuardianLink.objects.create(guardian=guardian, child=resident)
        audit_record(
            actor=actor,
            action="resident.registered",
            target=resident,
            detail={"via": "command" if isinstance(actor, Operator) else "counter"},
        )
    return resident


def _resolve_roles(
    roles: list[RoleGrant], *, is_child: bool, fail: Any
) -> list[tuple[Organisation, str]]:
    grants = []
    valid_roles = dict(OrganisationRole.Role.choices)
    for grant in roles:
        organisation = Organisation.objects.filter(slug=grant.organisation_slug).first()
        if organisation is None:
            fail(
                "roles",
                _("There is no organisation with the code “%(code)s”.")
                % {"code": grant.organisation_slug},
            )
        elif grant.role not in valid_roles:
            fail(
                "roles",
                _("“%(role)s” is not a role. Choose one of: %(roles)s.")
                % {"role": grant.role, "roles": ", ".join(valid_roles)},
            )
        elif is_child and grant.role != OrganisationRole.Role.MEMBER:
            fail("roles", _("A child can only be a member of an organisation."))
        else:
            grants.append((organisation, grant.role))
    return grants


def _resolve_guardian(
    guardian_card_id: str, *, is_child: bool, age: int | None, fail: Any
) -> Resident | None:
    if not guardian_card_id:
        if is_child:
            fail(
                "guardian_card_id",
                _("A resident under 18 is registered together with a guardian's card."),
            )
        return None
    if age is not None and not is_child:
        fail("guardian_card_id", _("Only residents under 18 are registered with a guardian."))
        return None
    try:
        hashed = card_hash(parse_card_id(guardian_card_id, field="guardian_card_id"))
    except Invalid as error:
        fail("guardian_card_id", error.message)
        return None
    card = (
        Card.objects.select_related("resident")
        .filter(card_hash=hashed, retired_at__isnull=True)
        .first()
    )
    if card is None or not card.resident.is_active:
        fail("guardian_card_id", _("The guardian's card is not registered."))
        return None
    guardian_age = card.resident.age
    if guardian_age is None or guardian_age < CHILD_UNTIL_AGE:
        fail("guardian_card_id", _("The guardian must be an adult."))
        return None
    return card.resident


# --- Card care by staff -------------------------------------------------------------------------


def card_unlock(*, actor: Actor, card_id: int) -> Card:
    """Unlock a card locked by wrong PINs and reset its count.  Audited as ``card.unlocked``."""
    require_city_staff(actor)
    with transaction.atomic():
        card = Card.objects.select_for_update().filter(pk=card_id).first()
        if card is None:
            raise NotFound(_("No such card."))
        if card.retired_at is not None:
            raise Invalid(_("This card has been replaced; it cannot be unlocked."), code="retired")
        if not card.is_locked:
            raise Invalid(_("This card is not locked."), code="not_locked")
        card.locked_at = None
        card.failed_pin_attempts = 0
        card.save(update_fields=["locked_at", "failed_pin_attempts"])
        audit_record(actor=actor, action="card.unlocked", target=card)
    return card


def card_replace(*, actor: Actor, resident_id: int, new_card_id: str, pin: str) -> Card:
    """Link a renewed card to the same resident and retire the old one.

    The resident stays one person: same id, roles, guardians and history.  Audited as
    ``card.replaced``.
    """
    require_city_staff(actor)
    errors: dict[str, list[str]] = {}
    hashed = ""
    try:
        hashed = card_hash(parse_card_id(new_card_id))
    except Invalid as error:
        errors["card_id"] = [error.message]
    try:
        parse_pin(pin)
    except Invalid as error:
        errors["pin"] = [error.message]
    if errors:
        raise Invalid(_("Some of the information is not valid. Please check it."), fields=errors)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().filter(pk=resident_id).first()
        if resident is None:
            raise NotFound(_("No such resident."))
        if Card.objects.filter(card_hash=hashed).exists():
            message = _("This card is already registered.")
            raise Invalid(message, fields={"card_id": [message]})
        Card.objects.filter(resident=resident, retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        card = Card.objects.create(resident=resident, card_hash=hashed, pin_hash=make_password(pin))
        audit_record(actor=actor, action="card.replaced", target=card)
    return card


# --- Reader devices -----------------------------------------------------------------------------


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def reader_device_register(
    *, actor: Actor, name: str, organisation_slug: str
) -> tuple[ReaderDevice, str]:
    """Register a venue's card reader.  Returns the device and its key, shown only this once."""
    require_city_staff(actor)
    errors: dict[str, list[str]] = {}
    try:
        name = text_clean(name or "").strip()
    except Invalid as error:
        errors["name"] = [error.message]
    if "name" not in errors and (not name or len(name) > 100):
        errors["name"] = [_("Please give the reader a name of at most 100 characters.")]
    organisation = Organisation.objects.filter(slug=organisation_slug).first()
    if organisation is None:
        errors["organisation"] = [
            _("There is no organisation with the code “%(code)s”.") % {"code": organisation_slug}
        ]
    if errors or organisation is None:
        raise Invalid(_("Some of the information is not valid. Please check it."), fields=errors)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    device = ReaderDevice.objects.create(
        name=name,
        organisation=organisation,
        key_prefix=prefix,
        secret_hash=_secret_hash(secret),
        created_by=actor if isinstance(actor, Resident) else None,
    )
    audit_record(actor=actor, action="device.registered", target=device)
    return device, f"{prefix}.{secret}"


def reader_device_deactivate(*, actor: Actor, device_id: int) -> ReaderDevice:
    require_city_staff(actor)
    device = ReaderDevice.objects.filter(pk=device_id).first()
    if device is None:
        raise NotFound(_("No such card reader."))
    device.is_active = False
    device.save(update_fields=["is_active"])
    audit_record(actor=actor, action="device.deactivated", target=device)
    return device


def reader_device_authenticate(*, key: str) -> ReaderDevice | None:
    """The active device a key belongs to, or ``None``.  Notes when the device was last seen."""
    prefix, _sep, secret = key.partition(".")
    if not prefix or not secret:
        return None
    device = ReaderDevice.objects.select_related("organisation").filter(key_prefix=prefix).first()
    if device is None or not device.is_active:
        return None
    if not secrets.compare_digest(device.secret_hash, _secret_hash(secret)):
        return None
    now = timezone.now()
    ReaderDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
    return device


# --- Schools (a package section of its own, re-exported) ------------------------------------

from campus_social.identity.services.schools import (  # noqa: E402  (its own section)
    guardian_link_request as guardian_link_request,
)
from campus_social.identity.services.schools import (  # noqa: E402
    guardian_link_request_decide as guardian_link_request_decide,
)
from campus_social.identity.services.schools import (  # noqa: E402
    school_guardian_link as school_guardian_link,
)
from campus_social.identity.services.schools import school_pupil_add as school_pupil_add  # noqa: E402
from campus_social.identity.services.schools import (  # noqa: E402
    school_pupil_remove as school_pupil_remove,
)
from campus_social.identity.services.schools import (  # noqa: E402
    school_pupil_update as school_pupil_update,
)
