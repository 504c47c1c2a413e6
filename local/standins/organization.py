"""What the stand-ins need to know about the moto organization an account belongs to."""

from moto.organizations.models import organizations_backends


def management_account_of(account_id: str) -> str | None:
    """The organization's management account, or None when the account is in no organization."""
    for partition_backends in [organizations_backends.get(account_id)]:
        if partition_backends is None:
            break
        backend = partition_backends.get("aws")
        if backend is not None and backend.org is not None:
            return account_id
    master = organizations_backends.master_accounts.get(account_id)
    return master[0] if master else None


def _management_backend(account_id: str):  # type: ignore[no-untyped-def]
    management = management_account_of(account_id)
    return organizations_backends[management]["aws"] if management else None


def organization_id_of(account_id: str) -> str | None:
    backend = _management_backend(account_id)
    return backend.org.id if backend is not None and backend.org is not None else None


def is_member(account_id: str, management: str) -> bool:
    """An active account of the organization whose management account is `management`."""
    backend = organizations_backends[management]["aws"]
    if backend.org is None:
        return False
    if account_id == management:
        return True
    return any(a.id == account_id and a.status == "ACTIVE" for a in backend.accounts)


def trusted_access_enabled(account_id: str, service_principal: str) -> bool:
    backend = _management_backend(account_id)
    if backend is None:
        return False
    return any(s["ServicePrincipal"] == service_principal for s in backend.services)


def is_delegated_admin(account_id: str, service_principal: str) -> bool:
    backend = _management_backend(account_id)
    if backend is None:
        return False
    return any(
        a.account.id == account_id and service_principal in a.services for a in backend.admins
    )


# Organizations user guide, "AWS services that you can use with AWS Organizations": these
# services support a delegated administrator (moto 5.2 lists only a few others).
DELEGATED_ADMIN_SERVICES = [
    "account.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
]


def install() -> None:
    from moto.organizations.models import FakeDelegatedAdministrator

    for principal in DELEGATED_ADMIN_SERVICES:
        if principal not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
            FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(principal)
    install_read_only()


# Organizations user guide, "Delegated administrator for AWS Organizations" / "AWS services
# that you can use with AWS Organizations": a member account registered as a delegated
# administrator for any service may call the read-only Organizations operations; any other
# member gets AccessDeniedException, unless the organization's resource-based delegation policy
# allows it the action. moto answers them only in the management account.
READ_ONLY_FOR_DELEGATED_ADMINS = [
    "describe_account",
    "describe_organizational_unit",
    "describe_policy",
    "list_accounts",
    "list_accounts_for_parent",
    "list_aws_service_access_for_organization",
    "list_children",
    "list_delegated_administrators",
    "list_delegated_services_for_account",
    "list_organizational_units_for_parent",
    "list_parents",
    "list_policies",
    "list_policies_for_target",
    "list_roots",
    "list_targets_for_policy",
    "list_tags_for_resource",
]


def _is_any_delegated_admin(account_id: str) -> bool:
    backend = _management_backend(account_id)
    return backend is not None and any(a.account.id == account_id for a in backend.admins)


def _read_only(original):  # type: ignore[no-untyped-def]
    def wrapped(self):  # type: ignore[no-untyped-def]
        from .errors import JsonError

        caller = self.current_account
        management = management_account_of(caller)
        if management is not None and management != caller:
            from .onboarding import resource_policy_allows

            action = "organizations:" + "".join(w.capitalize() for w in original.__name__.split("_"))
            if not _is_any_delegated_admin(caller) and not resource_policy_allows(caller, action):
                raise JsonError(
                    "AccessDeniedException",
                    "You don't have permissions to access this resource.",
                )
            self.current_account = management
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


def _child_must_exist(original):  # type: ignore[no-untyped-def]
    """ListParents of a child the organization lacks: the model's ListParents errors list
    ChildNotFoundException ("We can't find an organizational unit (OU) or Amazon Web Services
    account with the ChildId that you specified."), where moto raises AccountNotFoundException or
    OrganizationalUnitNotFoundException. A root is no child (ChildId: "Don't specify a root."; AWS
    documents no error code for it): refused the same way, the stricter answer."""

    def wrapped(self):  # type: ignore[no-untyped-def]
        from .errors import JsonError

        backend = organizations_backends[self.current_account]["aws"]
        child = self._get_param("ChildId")
        if backend.org is not None and not (
            any(a.id == child for a in backend.accounts)
            or any(ou.id == child and ou.type == "ORGANIZATIONAL_UNIT" for ou in backend.ou)
        ):
            raise JsonError(
                "ChildNotFoundException",
                "We can't find an organizational unit (OU) or Amazon Web Services account with the "
                "ChildId that you specified.",
            )
        return original(self)

    wrapped.__name__ = original.__name__
    return wrapped


def install_read_only() -> None:
    from moto.organizations.responses import OrganizationsResponse

    OrganizationsResponse.list_parents = _child_must_exist(OrganizationsResponse.list_parents)  # type: ignore[method-assign]
    for name in READ_ONLY_FOR_DELEGATED_ADMINS:
        setattr(OrganizationsResponse, name, _read_only(getattr(OrganizationsResponse, name)))
