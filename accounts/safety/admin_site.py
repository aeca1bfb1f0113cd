"""The Django admin, with no way round the reveal for anyone, superuser included.

Every ModelAdmin registered on the site (ours and third parties': auth's groups,
allauth's addresses, the task queue) is given :class:`NoPathToAuthors` by
:meth:`StaffAdminSite.register`, so a model added later is covered without anyone
remembering to. It closes the ways the admin could tie a person to what they posted
anonymously (or to the follows, votes, flags, notifications and reveal rows that
would):

- filters typed into a changelist's address: only the lookups the list's own
  filters offer are accepted (Django also accepts any lookup one relation deep,
  such as ``?author=5`` on ideas or ``?follows=3`` on staff members);
- search, filters and sorting through a relation between a person and anything
  else: only the model's own columns;
- delete confirmation pages: they name only what was selected, never the rows a
  deletion would take with it (a person's follows of their anonymous idea, their
  notifications about a reveal); people themselves are not deleted here but erased
  (``conversations.services.own_posts.delete_account``), which keeps the rules.

The site is installed as the default admin site by ``accounts.apps.StaffAdminConfig``
(Django's documented ``AdminConfig.default_site``).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, model_ngettext
from django.core.exceptions import FieldDoesNotExist
from django.db import router
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

LOOKUP_SEP = "__"


def _field_path(model, lookup: str) -> tuple[str, bool]:
    """The fields a lookup walks (``campaign__id__exact`` -> ``campaign``: a relation's
    own key is the relation), and whether it steps between a person and anything
    else."""
    path, crosses = [], False
    person = settings.AUTH_USER_MODEL.lower()
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if path and getattr(field, "primary_key", False):
            break
        path.append(part)
        if not field.is_relation or field.related_model is None:
            break
        here, there = model._meta.label_lower, field.related_model._meta.label_lower
        if here != there and person in (here, there):
            crosses = True
        model = field.related_model
    return LOOKUP_SEP.join(path), crosses


def _bare(name: str) -> str:
    """A search field without Django's ``^``, ``=`` or ``@`` prefix."""
    return name.lstrip("^=@")


class NoPathToAuthors:
    """Mixed into every ModelAdmin on :class:`StaffAdminSite`."""

    def _filter_lookups(self, request) -> set[str]:
        offered = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                offered.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                offered.add(_field_path(self.model, item[0])[0])
            elif isinstance(item, str):
                offered.add(_field_path(self.model, item)[0])
        if self.date_hierarchy:
            offered.add(_field_path(self.model, self.date_hierarchy)[0])
        return offered

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Only what the list's own filters offer; anything else typed into the
        # address is refused (400), however shallow.
        if request is None:
            return False
        path, _crosses = _field_path(self.model, lookup)
        offered = self._filter_lookups(request)
        return lookup in offered or (bool(path) and path in offered)

    def get_list_filter(self, request):
        kept = []
        for item in super().get_list_filter(request):
            name = item[0] if isinstance(item, (list, tuple)) else item
            if isinstance(name, str) and _field_path(self.model, name)[1]:
                continue
            kept.append(item)
        return kept

    def get_search_fields(self, request):
        return [
            name
            for name in super().get_search_fields(request)
            if LOOKUP_SEP not in _bare(name)
        ]

    def get_sortable_by(self, request):
        return [
            name
            for name in super().get_sortable_by(request)
            if not (
                isinstance(name, str)
                and LOOKUP_SEP in name
                and _field_path(self.model, name)[1]
            )
        ]

    def changeform_view(self, request, *args, **kwargs):
        # Privilege changes saved here are recorded as made by this person.
        from accounts.safety import privileges

        token = privileges.acting.set(request.user)
        try:
            return super().changeform_view(request, *args, **kwargs)
        finally:
            privileges.acting.reset(token)

    def has_delete_permission(self, request, obj=None) -> bool:
        if self.model._meta.label_lower == settings.AUTH_USER_MODEL.lower():
            return False  # people are erased, not deleted (see the module docstring)
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """What would be deleted, named by the selected rows alone: the rows a
        deletion takes with it are counted in one number, never listed."""
        objs = list(objs)
        using = router.db_for_write(self.model)
        collector = NestedObjects(using=using, origin=objs)
        collector.collect(objs)
        opts = self.model._meta
        to_delete = [
            format_html("{}: {}", capfirst(opts.verbose_name), obj) for obj in objs
        ]
        others = sum(
            len(rows)
            for model, rows in collector.data.items()
            if model is not self.model
        )
        if others:
            to_delete.append(
                _("and %(count)d related rows that belong to them") % {"count": others}
            )
        model_count = {model_ngettext(opts, len(objs)): len(objs)}
        perms_needed = set()
        if not self.has_delete_permission(request):
            perms_needed.add(opts.verbose_name)
        protected = (
            [
                _("%(count)d rows that must be kept")
                % {"count": len(collector.protected)}
            ]
            if collector.protected
            else []
        )
        return to_delete, model_count, perms_needed, protected


class StaffAdminSite(admin.AdminSite):
    site_header = _("Staff Voice administration")
    site_title = _("Staff Voice administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, NoPathToAuthors):
            base = type(f"Guarded{base.__name__}", (NoPathToAuthors, base), {})
        return super().register(model_or_iterable, base, **options)
