package dev.appliancesync.fleet;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;

/** One JSON value of a shadow attribute, typed: exactly one of the three is set. */
@Input("AttributeValue")
@Description("A shadow attribute's value: exactly one of text, number, flag")
public record AttributeValue(String text, Double number, Boolean flag) {
}
