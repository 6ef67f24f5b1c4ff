package dev.appliancesync.fleet;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

/** A condition on one attribute of the appliance's shadows: every comparison given must hold. */
@Input("AttributeFilter")
@Description("A condition on a reported or desired shadow attribute; every comparison given must hold in one shadow")
public record AttributeFilter(
        @NonNull @Description("reported.<name> or desired.<name>, nested names with dots (reported.Temperature.fridge); "
                + "each name is a letter or _ followed by up to 63 letters, digits or _") String path,
        @Description("Only this shadow ('' is the classic one); omitted: any shadow of the appliance") String shadow,
        @Description("The attribute equals this value") AttributeValue equals,
        @Description("The attribute equals one of these values") List<AttributeValue> in,
        @Description("The attribute is a number below this") Double lt,
        @Description("The attribute is a number at most this") Double lte,
        @Description("The attribute is a number above this") Double gt,
        @Description("The attribute is a number at least this") Double gte,
        @Description("true: the attribute is present (any value); false: it is absent") Boolean exists) {
}
