"""The series chart as a template tag, for the series page (or any page showing one series):

    {% load surveillance_charts %}
    {% series_chart series %}

``series`` must have come through the access engine (the page's view fetched it). The chart reads its
time range from the page's ``?chart_range=`` (1y, 3y, all); the range links reload only the chart
with htmx, or the whole page without JavaScript.
"""

from django import template
from django.template.loader import render_to_string

from cbrnet.surveillance.views.charts import series_chart_context

register = template.Library()


@register.simple_tag(takes_context=True)
def series_chart(context, series):
    request = context["request"]
    return render_to_string("surveillance/chart_series.html", series_chart_context(request, series), request=request)
