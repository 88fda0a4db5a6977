"""Every write of the sharing engine, for any SharedModel: save, publish, withdraw, change the label,
add or remove grants, four-eyes approval, break-glass, and the RED read log (R2, R5, R7, R9–R11, R15).

Callers fetch the item through the access engine first (invisible is 404); these services then check
what the user may do with it, validate, write in one transaction and keep the audit trail complete.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.access.context import user_context
from cbrnet.registry.models import Membership, Network, Organisation
from cbrnet.sharing import conf
from cbrnet.sharing.choices import (
    TLP,
    AccessKind,
    ApprovalAction,
    ApprovalStatus,
    GrantScope,
    Status,
    is_looser,
)
from cbrnet.sharing.models import (
    AccessLog,
    AudienceMember,
    BreakGlass,
    Grant,
    PeerHub,
    ShareApproval,
    SharedModel,
    amber_like,
    content_type_id,
    decode_roles,
    encode_roles,
)
from cbrnet.sharing.predicates import inside_networks, may_grant_scope, may_label, recipient_may_forward

PROTECTED_FIELDS = ("owner_organisation_id", "author_id", "status", "published_at", "uid", "origin_hub")


# --- helpers -----------------------------------------------------------------------------------------
def visible_without_break_glass(user, item: SharedModel) -> bool:
    """Whether the user reads the item as a recipient (break-glass is a read, never a right to act)."""
    model = type(item)
    q = model.access_policy.q_for(model, user_context(user), "view", break_glass=False)
    return model._base_manager.filter(q, pk=item.pk).exists()


def is_owner_editor(user, item: SharedModel) -> bool:
    return item.owner_organisation_id in user_context(user).editor_org_ids


def _require_change(user, item: SharedModel) -> None:
    if not access.can(user, "change", item):
        raise PermissionDenied(
            _("Only the author and the editors of %(owner)s may do this.")
            % {"owner": item.owner_organisation}
        )


def _require_label(user, label: str) -> None:
    """R15: the loosest label the user's roles may apply."""
    limit = conf.max_tlp(user_context(user).roles)
    if not may_label(limit, label):
        raise PermissionDenied(
            _("Your role may not share at %(label)s (your limit: %(limit)s); ask an editor (R15).")
            % {"label": TLP(label).label, "limit": TLP(limit).label if limit else _("none")}
        )


def _fresh(item: SharedModel) -> SharedModel:
    """Decide on the stored label and status, not on a possibly stale instance (commands, tasks)."""
    item.refresh_from_db(
        fields=["tlp", "status", "embargo_until", "published_at", "owner_organisation", "author"]
    )
    return item


def _network_ids(item: SharedModel) -> set[int]:
    return set(item.networks.values_list("pk", flat=True))


# --- content and labels ------------------------------------------------------------------------------
def shared_item_save(*, user, instance: SharedModel, networks: Iterable | None = None) -> SharedModel:
    """Create (a draft owned by the user's organisation) or change a shared item's content and labels.

    Status changes go through publish/withdraw. Once an item is out of draft its label changes only
    through shared_item_change_tlp and its networks may only shrink (adding one would widen it, R9).
    A new child inherits its parent's networks and audience (R10).
    """
    model = type(instance)
    context = user_context(user)
    adding = instance._state.adding
    network_ids = None if networks is None else {getattr(network, "pk", network) for network in networks}
    parent = (
        instance.shared_parent
        if instance.shared_parent_field and getattr(instance, instance.shared_parent_field + "_id", None)
        else None
    )
    previous = None
    if adding:
        if not access.may_add(user, model):
            raise PermissionDenied(_("You may not add a %(name)s.") % {"name": model._meta.verbose_name})
        instance.owner_organisation_id = context.organisation_id
        instance.author = user
        instance.status = Status.DRAFT
        instance.published_at = None
        instance.origin_hub = ""
        if parent is not None and network_ids is None:
            network_ids = _network_ids(parent)
    else:
        previous = model._base_manager.get(pk=instance.pk)
        for name in PROTECTED_FIELDS:
            setattr(instance, name, getattr(previous, name))
        if instance.shared_parent_field:
            field = instance.shared_parent_field + "_id"
            if getattr(instance, field) != getattr(previous, field):
                raise ValidationError(
                    {instance.shared_parent_field: _("An entry cannot be moved to another item.")}
                )
        if previous.status != Status.DRAFT and instance.tlp != previous.tlp:
            raise ValidationError(
                {
                    "tlp": _(
                        "The label of a published item changes only with “Change TLP”, "
                        "which checks who may loosen it."
                    )
                }
            )
        lifted = previous.embargo_until and (
            instance.embargo_until is None or instance.embargo_until < previous.embargo_until
        )
        if previous.status == Status.PUBLISHED and lifted and not is_owner_editor(user, previous):
            # Ending an embargo early shares a published item sooner: loosening, for editors (R9).
            raise PermissionDenied(
                _("Only editors of %(owner)s may end the embargo early.")
                % {"owner": previous.owner_organisation}
            )
    if network_ids is not None:
        allowed = (
            _network_ids(parent)
            if parent is not None
            else set(
                Organisation.networks.through.objects.filter(
                    organisation_id=instance.owner_organisation_id
                ).values_list("network_id", flat=True)
            )
        )
        if network_ids - allowed:
            raise ValidationError(
                {"networks": _("Choose only networks your organisation (or the parent item) belongs to.")}
            )
        if previous is not None and previous.status != Status.DRAFT and network_ids - _network_ids(previous):
            raise ValidationError(
                {"networks": _("Adding a network widens a published item: withdraw it, or add a grant.")}
            )
    with transaction.atomic():
        instance.full_clean()
        instance.save()
        if network_ids is not None:
            instance.networks.set(sorted(network_ids))
        if adding and parent is not None:
            _inherit_grants(instance, parent)
        access.ensure_in_scope(user, instance, "add" if adding else "change")
    return instance


def _inherit_grants(child: SharedModel, parent: SharedModel) -> None:
    """A new child reaches the parent's audience, never more: it copies the parent's grants (RED:
    the named people and the parent's author) and adds the parent's owner where the label needs it."""
    grants = list(parent.grants.all())
    common = {"content_type_id": content_type_id(child), "object_id": child.pk}
    if child.tlp == TLP.RED:
        users = {grant.user_id for grant in grants if grant.scope == GrantScope.USER} | {parent.author_id}
        for user_id in sorted(users - {child.author_id, None}):
            Grant(scope=GrantScope.USER, user_id=user_id, **common).save()
        return
    copies = [
        Grant(
            scope=grant.scope,
            network_id=grant.network_id,
            region_id=grant.region_id,
            country_id=grant.country_id,
            organisation_id=grant.organisation_id,
            user_id=grant.user_id,
            roles=grant.roles,
            **common,
        )
        for grant in grants
    ]
    if (copies or amber_like(child.tlp)) and parent.owner_organisation_id != child.owner_organisation_id:
        copies.append(
            Grant(scope=GrantScope.ORGANISATION, organisation_id=parent.owner_organisation_id, **common)
        )
    for grant in copies:
        grant.save()


def shared_item_publish(*, user, item: SharedModel) -> SharedModel | ShareApproval:
    """Publish a draft or withdrawn item; AMBER freezes its audience now (R5). With four-eyes on,
    AMBER and RED wait for a second editor of the owner organisation (R15)."""
    _fresh(item)
    _require_change(user, item)
    if item.status == Status.PUBLISHED:
        raise ValidationError({"status": _("This item is already published.")})
    _require_label(user, item.tlp)
    if conf.four_eyes() and item.tlp in (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED):
        return _request_approval(user=user, item=item, action=ApprovalAction.PUBLISH, payload={})
    return _publish(item)


def _publish(item: SharedModel) -> SharedModel:
    with transaction.atomic():
        item.status = Status.PUBLISHED
        item.published_at = timezone.now()
        item.full_clean()
        item.save()
        if amber_like(item.tlp):
            _freeze_audience(item)
    return item


def shared_item_withdraw(*, user, item: SharedModel) -> SharedModel:
    """Take a published item back: from now on only its author and the owner's editors see it (R2)."""
    _fresh(item)
    _require_change(user, item)
    if item.status != Status.PUBLISHED:
        raise ValidationError({"status": _("Only a published item can be withdrawn.")})
    with transaction.atomic():
        item.status = Status.WITHDRAWN
        item.full_clean()
        item.save()
    return item


def shared_item_change_tlp(*, user, item: SharedModel, tlp: str) -> SharedModel | ShareApproval:
    """Change the label. Tightening applies at once; loosening is for editors of the owner organisation,
    within their role's limit, and with four-eyes on waits for a second editor (R9, R15). Moving to
    AMBER freezes the audience; moving to RED drops every grant that does not name a person (R7)."""
    _fresh(item)
    if tlp not in TLP.values:
        raise ValidationError({"tlp": _("Choose one of: %(labels)s.") % {"labels": ", ".join(TLP.labels)}})
    _require_change(user, item)
    if tlp == item.tlp:
        raise ValidationError(
            {"tlp": _("The item is already %(label)s.") % {"label": item.get_tlp_display()}}
        )
    if is_looser(tlp, item.tlp):
        if not is_owner_editor(user, item):
            raise PermissionDenied(
                _("Only editors of %(owner)s may loosen the label (R9).") % {"owner": item.owner_organisation}
            )
        _require_label(user, tlp)
        parent = item.shared_parent
        if parent is not None and is_looser(tlp, parent.tlp):
            raise ValidationError({"tlp": _("An entry cannot be looser than the item it belongs to (R10).")})
        if conf.four_eyes() and item.status == Status.PUBLISHED:
            return _request_approval(
                user=user, item=item, action=ApprovalAction.CHANGE_TLP, payload={"tlp": tlp}
            )
    return _apply_tlp(item, tlp)


def _apply_tlp(item: SharedModel, tlp: str) -> SharedModel:
    old = item.tlp
    with transaction.atomic():
        if tlp == TLP.RED:
            for grant in item.grants.exclude(scope=GrantScope.USER):
                grant.delete()
            for member in item.audience_members.all():
                member.delete()
        item.tlp = tlp
        item.full_clean()
        item.save()
        if item.status == Status.PUBLISHED and amber_like(tlp) and not amber_like(old):
            _freeze_audience(item)
    return item


# --- audience ------------------------------------------------------------------------------------------
def _resolve(grants) -> dict[tuple[str, int], str]:
    """Grants -> {("organisation"|"user", id): encoded roles}: region/country/network expand to their
    current active organisations (R5). An organisation reached without a roles limit keeps none."""
    resolved: dict[tuple[str, int], str] = {}

    def add(key, roles):
        if key in resolved:
            old = resolved[key]
            roles = (
                ""
                if not old or not roles
                else encode_roles(set(decode_roles(old)) | set(decode_roles(roles)))
            )
        resolved[key] = roles

    active = Organisation.objects.filter(is_active=True)
    for grant in grants:
        if grant.scope == GrantScope.USER:
            add(("user", grant.user_id), grant.roles)
            continue
        if grant.scope == GrantScope.ORGANISATION:
            ids = [grant.organisation_id]
        elif grant.scope == GrantScope.COUNTRY:
            ids = active.filter(country_id=grant.country_id).values_list("pk", flat=True)
        elif grant.scope == GrantScope.REGION:
            countries = Membership.objects.current().filter(region_id=grant.region_id).values("country_id")
            ids = active.filter(country_id__in=countries).values_list("pk", flat=True)
        else:
            members = Organisation.networks.through.objects.filter(network_id=grant.network_id).values(
                "organisation_id"
            )
            ids = active.filter(pk__in=members).values_list("pk", flat=True)
        for organisation_id in ids:
            add(("organisation", organisation_id), grant.roles)
    return resolved


def _member(item, key, roles) -> AudienceMember:
    kind, pk = key
    return AudienceMember(
        content_type_id=content_type_id(item), object_id=item.pk, roles=roles, **{f"{kind}_id": pk}
    )


def _freeze_audience(item: SharedModel) -> None:
    """R5: resolve the grants into the frozen audience R, replacing any earlier one."""
    for member in item.audience_members.all():
        member.delete()
    for key, roles in sorted(_resolve(item.grants.all()).items()):
        _member(item, key, roles).save()


def _key(member: AudienceMember) -> tuple[str, int]:
    return ("user", member.user_id) if member.user_id else ("organisation", member.organisation_id)


def _extend_audience(item: SharedModel, grants) -> None:
    """A grant added to a published AMBER item reaches the organisations of its scope *now*."""
    existing = {_key(member): member for member in item.audience_members.all()}
    for key, roles in _resolve(grants).items():
        member = existing.get(key)
        if member is None:
            _member(item, key, roles).save()
        elif member.roles and (not roles or set(decode_roles(roles)) - set(decode_roles(member.roles))):
            member.roles = (
                "" if not roles else encode_roles(set(decode_roles(member.roles)) | set(decode_roles(roles)))
            )
            member.save()


def _shrink_audience(item: SharedModel) -> None:
    """After a grant is removed: keep only members the remaining grants still reach, never wider."""
    resolved = _resolve(item.grants.all())
    for member in item.audience_members.all():
        key = _key(member)
        if key not in resolved:
            member.delete()
            continue
        kept, now = decode_roles(member.roles), decode_roles(resolved[key])
        narrower = encode_roles(set(kept) & set(now)) if kept and now else encode_roles(kept or now)
        if (kept or now) and not narrower:
            member.delete()
        elif narrower != member.roles:
            member.roles = narrower
            member.save()


def shared_item_grant_add(
    *, user, item: SharedModel, scope: str, target, roles: Iterable[str] = ()
) -> Grant | ShareApproval:
    """Share an item with one more network, region, country, organisation or person.

    The owner side (editors of the owner organisation; the author while it is a draft, and for RED,
    whose named recipients only the author can see) adds grants within its role's breadth (R15).
    Recipients may forward GREEN inside its networks and CLEAR anywhere, never AMBER or RED (R9).
    Widening a published item waits for a second editor when four-eyes is on.
    """
    _fresh(item)
    if scope not in GrantScope.values:
        raise ValidationError(
            {"scope": _("Choose what to share with: %(scopes)s.") % {"scopes": ", ".join(GrantScope.values)}}
        )
    field = Grant.SCOPE_FIELDS[scope]
    target = _target(scope, target)
    if item.tlp == TLP.RED and scope != GrantScope.USER:
        raise ValidationError(
            {
                "scope": _("TLP:RED may be shared with named people only, not a whole %(scope)s (R7).")
                % {"scope": GrantScope(scope).label.lower()}
            }
        )
    context = user_context(user)
    owner_side = is_owner_editor(user, item) or (
        item.author_id == user.pk and (item.status == Status.DRAFT or item.tlp == TLP.RED)
    )
    grants_exist = item.grants.exists()
    if not owner_side:
        if not visible_without_break_glass(user, item) or item.status != Status.PUBLISHED:
            raise PermissionDenied(_("Only the owner of this item may share it further."))
        if not recipient_may_forward(item.tlp):
            raise PermissionDenied(
                _("%(label)s may not be passed on by its recipients; ask %(owner)s (R9).")
                % {"label": item.get_tlp_display(), "owner": item.owner_organisation}
            )
        if item.tlp == TLP.GREEN:
            if not grants_exist:
                raise ValidationError(
                    {
                        "scope": _(
                            "This item already reaches everyone in its networks; a grant would narrow it."
                        )
                    }
                )
            if not inside_networks(scope, target, _network_ids(item)):
                raise ValidationError(
                    {field: _("TLP:GREEN may be forwarded only inside the item's networks (R9).")}
                )
    if not may_grant_scope(conf.max_grant_scope(context.roles), scope):
        raise PermissionDenied(
            _("Your role may not share with a whole %(scope)s (R15).")
            % {"scope": GrantScope(scope).label.lower()}
        )
    grant = Grant(
        content_type_id=content_type_id(item),
        object_id=item.pk,
        scope=scope,
        roles=encode_roles(roles),
        granted_by=user,
    )
    setattr(grant, field, target)
    grant.full_clean()
    if item.grants.filter(scope=scope, roles=grant.roles, **{field + "_id": grant.target_id}).exists():
        raise ValidationError(
            {field: _("The item is already shared with %(target)s.") % {"target": grant.target}}
        )
    widening = (
        item.status == Status.PUBLISHED
        and item.tlp != TLP.CLEAR
        and not (item.tlp == TLP.GREEN and not grants_exist)
    )
    if owner_side and widening and conf.four_eyes():
        return _request_approval(
            user=user,
            item=item,
            action=ApprovalAction.GRANT_ADD,
            payload={"scope": scope, "target": grant.target_id, "roles": grant.role_list},
        )
    return _apply_grant(item, grant)


def _target(scope: str, target):
    """The grant's target as a record: accepts the record or its id; a missing one names the field."""
    field = Grant.SCOPE_FIELDS[scope]
    model = Grant._meta.get_field(field).related_model
    if isinstance(target, model):
        return target
    try:
        found = model._base_manager.filter(pk=int(target)).first() if target not in (None, "") else None
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError(
            {field: _("Choose the %(field)s to share with.") % {"field": GrantScope(scope).label.lower()}}
        )
    return found


def _apply_grant(item: SharedModel, grant: Grant) -> Grant:
    with transaction.atomic():
        grant.save()
        if item.status == Status.PUBLISHED and amber_like(item.tlp):
            _extend_audience(item, [grant])
    return grant


def shared_item_grant_remove(*, user, item: SharedModel, grant: Grant) -> None:
    """Take a grant away; tightening applies at once, to the frozen AMBER audience too."""
    _fresh(item)
    if grant.content_type_id != content_type_id(item) or grant.object_id != item.pk:
        raise ValidationError({"grant": _("This grant belongs to another item.")})
    allowed = (
        is_owner_editor(user, item)
        or grant.granted_by_id == user.pk
        or (item.author_id == user.pk and (item.status == Status.DRAFT or item.tlp == TLP.RED))
    )
    if not allowed:
        raise PermissionDenied(_("Only the owner of this item or whoever added the grant may remove it."))
    if item.status == Status.PUBLISHED and item.tlp == TLP.GREEN and item.grants.count() == 1:
        raise ValidationError(
            {
                "grant": _(
                    "Removing the last grant would open this item to its whole networks; withdraw it instead."
                )
            }
        )
    with transaction.atomic():
        grant.delete()
        if item.status == Status.PUBLISHED and amber_like(item.tlp):
            _shrink_audience(item)


# --- four eyes -----------------------------------------------------------------------------------------
def _request_approval(*, user, item: SharedModel, action: str, payload: dict) -> ShareApproval:
    pending = item.approvals.filter(status=ApprovalStatus.PENDING, action=action)
    if any(approval.payload == payload for approval in pending):
        raise ValidationError({"status": _("This change is already waiting for a second approver.")})
    approval = ShareApproval(
        content_type_id=content_type_id(item),
        object_id=item.pk,
        action=action,
        payload=payload,
        requested_by=user,
    )
    approval.full_clean()
    approval.save()
    return approval


def _decide(user, approval: ShareApproval) -> SharedModel:
    if approval.status != ApprovalStatus.PENDING:
        raise ValidationError(
            {
                "status": _("This request was already %(status)s.")
                % {"status": approval.get_status_display().lower()}
            }
        )
    item = approval.item
    if not is_owner_editor(user, item) or not visible_without_break_glass(user, item):
        raise PermissionDenied(
            _("Only an editor of %(owner)s may decide.") % {"owner": item.owner_organisation}
        )
    if approval.requested_by_id == user.pk:
        raise PermissionDenied(_("A second editor must decide: you asked for this change (four eyes)."))
    return item


def shared_item_approve(*, user, approval: ShareApproval) -> ShareApproval:
    """The second editor of the owner organisation approves a pending publish/loosen/widen (R15)."""
    item = _decide(user, approval)
    with transaction.atomic():
        if approval.action == ApprovalAction.PUBLISH:
            if item.status == Status.PUBLISHED:
                raise ValidationError({"status": _("This item is already published.")})
            _publish(item)
        elif approval.action == ApprovalAction.CHANGE_TLP:
            _apply_tlp(item, approval.payload["tlp"])
        else:
            field = Grant.SCOPE_FIELDS[approval.payload["scope"]]
            grant = Grant(
                content_type_id=approval.content_type_id,
                object_id=approval.object_id,
                scope=approval.payload["scope"],
                roles=encode_roles(approval.payload.get("roles")),
                granted_by_id=approval.requested_by_id,
                **{field + "_id": approval.payload["target"]},
            )
            grant.full_clean()
            _apply_grant(item, grant)
        approval.status = ApprovalStatus.APPROVED
        approval.decided_by = user
        approval.decided_at = timezone.now()
        approval.full_clean()
        approval.save()
    return approval


def shared_item_reject(*, user, approval: ShareApproval, note: str = "") -> ShareApproval:
    """The second editor turns a pending request down; nothing about the item changes."""
    _decide(user, approval)
    with transaction.atomic():
        approval.status = ApprovalStatus.REJECTED
        approval.decided_by = user
        approval.decided_at = timezone.now()
        approval.note = note[:500]
        approval.full_clean()
        approval.save()
    return approval


# --- break-glass and the read log ------------------------------------------------------------------------
def shared_item_break_glass(*, user, item: SharedModel, reason: str, channel: str = "ui") -> BreakGlass:
    """A platform administrator opens one item for reading, for a limited time, with a reason (R11)."""
    if not user_context(user).platform_admin:
        raise PermissionDenied(_("Only platform administrators may break the glass."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": _("Give the reason for opening this item (at least 10 characters).")}
        )
    with transaction.atomic():
        grant = BreakGlass(
            content_type_id=content_type_id(item),
            object_id=item.pk,
            user=user,
            reason=reason,
            expires_at=timezone.now() + datetime.timedelta(minutes=conf.break_glass_minutes()),
        )
        grant.full_clean()
        grant.save()
        _log(user, item, AccessKind.BREAK_GLASS, channel, reason)
    return grant


def _log(user, item, kind, channel, reason="") -> AccessLog:
    return AccessLog.objects.create(
        user_id=user.pk,
        user_repr=user.get_username(),
        kind=kind,
        channel=channel,
        content_type_id=content_type_id(item),
        model_label=item._meta.label_lower,
        object_id=item.pk,
        object_repr=str(item)[:200],
        reason=reason,
    )


def shared_item_record_read(*, user, item: SharedModel, channel: str) -> AccessLog | None:
    """Log a read that must be traceable: any TLP:RED item (R7) and any read under break-glass (R11)."""
    if user is None or not user.is_authenticated:
        return None
    if user_context(user).platform_admin and not visible_without_break_glass(user, item):
        return _log(user, item, AccessKind.BREAK_GLASS_READ, channel)
    if item.tlp == TLP.RED:
        return _log(user, item, AccessKind.READ, channel)
    return None


def shared_items_record_reads(*, user, items, channel: str) -> int:
    """The list form of shared_item_record_read, for pages and API lists that show item content."""
    if user is None or not user.is_authenticated:
        return 0
    logged = 0
    for item in items:
        if item.tlp == TLP.RED or user_context(user).platform_admin:
            logged += shared_item_record_read(user=user, item=item, channel=channel) is not None
    return logged


# --- federation configuration ----------------------------------------------------------------------------
def peer_hub_save(
    *,
    user,
    name: str,
    url: str | None = None,
    networks: list[str] | None = None,
    organisations: list[str] | None = None,
    active: bool = True,
) -> PeerHub:
    """Create or change a peer hub (R14). `networks` are network codes; `organisations` are
    "Name@ISO2" ("Name@" for an international organisation). `user` is None for operators' commands;
    otherwise it must be a platform administrator. Unknown names are refused by field."""
    if user is not None and not user_context(user).platform_admin:
        raise PermissionDenied(_("Only platform administrators configure peer hubs."))
    hub = PeerHub.objects.filter(name=name).first() or PeerHub(name=name)
    if url is not None:
        hub.url = url
    hub.is_active = active
    network_ids = organisation_ids = None
    if networks is not None:
        found = dict(Network.objects.filter(code__in=networks).values_list("code", "pk"))
        unknown = sorted(set(networks) - set(found))
        if unknown:
            raise ValidationError(
                {"networks": _("Unknown networks: %(codes)s.") % {"codes": ", ".join(unknown)}}
            )
        network_ids = list(found.values())
    if organisations is not None:
        organisation_ids = []
        for key in organisations:
            org_name, _separator, iso2 = key.rpartition("@")
            found = Organisation.objects.filter(name=org_name or key)
            found = found.filter(country__iso2=iso2) if iso2 else found.filter(country__isnull=True)
            organisation = found.first()
            if organisation is None:
                raise ValidationError({"organisations": _("Unknown organisation: %(key)s.") % {"key": key}})
            organisation_ids.append(organisation.pk)
    with transaction.atomic():
        hub.full_clean()
        hub.save()
        if network_ids is not None:
            hub.networks.set(network_ids)
        if organisation_ids is not None:
            hub.organisations.set(organisation_ids)
    return hub
