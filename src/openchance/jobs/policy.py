"""Who may look at and steer the job queue: admins and the system operator."""

from openchance.actor import Actor, Role
from openchance.errors import NotAuthenticated, PermissionDenied


def check_can_operate_jobs(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in to manage jobs")
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("only admins may manage jobs")
