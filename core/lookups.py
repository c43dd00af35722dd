"""`__in` on integer columns with values no column can hold.

Django (5.0+) turns an out-of-range integer in `exact`, `gt`, `lt`... into an empty (or full)
result instead of sending it to the database, but not in `in`: a choice field given
"１２３４５６７８９０１２３４５６７８９０" (int() reads full-width digits) sent it, and SQLite
raised OverflowError, PostgreSQL a DataError: a 500. Values out of range match no row, so they
are left out here, as the other lookups do.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            kept = [
                v
                for v in self.rhs
                if not isinstance(v, int)
                or ((low is None or v >= low) and (high is None or v <= high))
            ]
            self.rhs = kept  # none left: In says the result is empty
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerIn)
