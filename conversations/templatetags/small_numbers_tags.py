"""The small-numbers threshold for templates that say "fewer than N"
(``conversations.small_numbers``): a setting, the same for every viewer."""

from django import template

from conversations import small_numbers

register = template.Library()


@register.simple_tag
def small_numbers_threshold() -> int:
    return small_numbers.threshold()
