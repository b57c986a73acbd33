"""The signed-in user's own notifications. Nobody reads another user's notifications (404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .models import Notification

PAGE_SIZE = 50


@require_http_methods(["GET"])
def notification_list(request):
    mine = Notification.objects.filter(recipient=request.user).only(
        "id", "kind", "message", "case_reference", "link", "created_at", "read_at"
    )
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@require_POST
def notification_read(request, pk: int):
    # Scoped to the recipient: someone else's id changes nothing and says nothing.
    Notification.objects.filter(pk=pk, recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    n = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"{n} notification{'s' if n != 1 else ''} marked as read.")
    return redirect("notifications:list")
