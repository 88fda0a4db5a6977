"""Filter forms of list pages: reference lists render from options prepared once, and the fields are
cached per query only when every user would see the same."""

import pytest
from django import forms
from django.template import engines

from cbrnet.core.filters import render_filter_fields
from cbrnet.core.testing import client_for
from cbrnet.core.widgets import FastSelect, ReferenceSelect
from cbrnet.registry import filters, models

pytestmark = pytest.mark.django_db

LOOP = engines["django"].from_string(
    '{% for field in filterset.form %}<div class="field">{{ field.label_tag }} {{ field }}'
    '{% for error in field.errors %}<p class="error">{{ error }}</p>{% endfor %}</div>\n{% endfor %}'
)


class Request:
    def __init__(self, user):
        self.user = user


def test_a_reference_select_renders_what_a_fast_select_renders():
    choices = [("", "---"), (1, "Côte d'Ivoire"), (2, "<Kazakhstan>"), (3, "Uzbekistan")]
    from django.utils.html import format_html

    options = [
        (str(value), format_html('<option value="{}">{}</option>', value, label),
         format_html('<option value="{}" selected>{}</option>', value, label))
        for value, label in choices
    ]
    for value in (None, "", "2", 3, "9"):
        fast = FastSelect(attrs={"class": "x"}, choices=choices).render("country", value, {"id": "id_country"})
        prepared = ReferenceSelect(attrs={"class": "x"}, options=options).render("country", value, {"id": "id_country"})
        assert prepared == fast, value


@pytest.mark.parametrize("query", [{}, {"q": "border", "country": "kz"}, {"deployable_now": "true", "min_level": "3"}])
def test_the_fields_render_as_the_template_loop_did(world, query):
    if "country" in query:
        query = {**query, "country": str(world.kz.pk)}  # a selected option
    request = Request(world.nfp_kz)
    rendered = [render_filter_fields(filters.ExpertFilterSet(query or None, queryset=models.ExpertProfile.objects.all(), request=request))
                for _ in range(2)]  # the second from the cache
    looped = LOOP.render({"filterset": filters.ExpertFilterSet(query or None, queryset=models.ExpertProfile.objects.all(), request=request)})
    assert rendered[0] == rendered[1] == looped.strip()


def test_a_form_in_error_is_never_served_from_the_cache(world):
    request = Request(world.nfp_kz)
    good = {"country": str(world.kz.pk)}
    render_filter_fields(filters.ExpertFilterSet(good, queryset=models.ExpertProfile.objects.all(), request=request))
    bad = filters.ExpertFilterSet({"country": "999999"}, queryset=models.ExpertProfile.objects.all(), request=request)
    assert 'class="error"' in render_filter_fields(bad)


def test_user_dependent_choices_are_rendered_for_each_user(world):
    # A select of restricted records (not reference data, not an id box) depends on the user.
    def people_filter(user):
        filterset = filters.RoleAssignmentFilterSet(None, queryset=models.RoleAssignment.objects.all(), request=Request(user))
        filterset.form.fields["people"] = forms.ModelChoiceField(queryset=models.Person.objects.restrict(user), required=False)
        return filterset

    assert "Hidden Kazperson" in render_filter_fields(people_filter(world.nfp_kz))
    assert "Hidden Kazperson" not in render_filter_fields(people_filter(world.nfp_uz))


def test_the_list_page_shows_the_filter_fields(world):
    html = client_for(world.nfp_kz).get("/registry/experts/", {"q": "border"}).content.decode()
    assert 'name="q"' in html and 'value="border"' in html and '<select name="country"' in html
