"""Who may see and edit what: organisation scoping, written once and used everywhere."""

from django.db.models import Q

from heco.network.models import EDIT_ROLES, Membership, Organisation, Role


def organisation_ids_for(user, roles=None) -> set | None:
    """Organisation ids the user holds one of ``roles`` in (coordinators: every organisation of
    their networks). ``None`` means no limit (superuser)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    roles = set(roles or Role.values)
    memberships = Membership.objects.filter(user=user, role__in=roles).values_list(
        "organisation_id", "network_id"
    )
    org_ids, network_ids = set(), set()
    for org_id, network_id in memberships:
        if org_id:
            org_ids.add(org_id)
        if network_id:
            network_ids.add(network_id)
    if network_ids:
        org_ids |= set(
            Organisation.objects.filter(networks__in=network_ids).values_list("id", flat=True)
        )
    return org_ids


def editable_organisation_ids(user) -> set | None:
    return organisation_ids_for(user, EDIT_ROLES)


def scope_queryset(queryset, user, org_field: str = "organisation", roles=None):
    """Limit ``queryset`` to rows whose ``org_field`` is an organisation the user may act for."""
    ids = organisation_ids_for(user, roles)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{org_field}__in": ids})


def can_edit_organisation(user, organisation_id) -> bool:
    ids = editable_organisation_ids(user)
    return ids is None or organisation_id in ids


def visible_organisations(user):
    ids = organisation_ids_for(user)
    qs = Organisation.objects.all()
    return qs if ids is None else qs.filter(Q(id__in=ids))
