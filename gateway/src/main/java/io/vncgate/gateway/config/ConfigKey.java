package io.vncgate.gateway.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a component of the {@link GatewayConfig} record tree lives in the YAML file, for the
 * components that do not follow the convention. The convention: a component is the key named by
 * its name in kebab case ({@code handshakeTimeout} → {@code handshake-timeout}) under the key of
 * the record that holds it, and a record-typed component is a section. {@link ConfigKeys} walks the
 * tree this way for the JSON Schema, the environment overrides and "did you mean".
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface ConfigKey {
  /** The full dotted key(s) from the file's root; several when several keys feed one component. Empty: convention. */
  String[] value() default {};

  /** The only words the key takes (a string that is not a Java enum). */
  String[] values() default {};

  /** For a record-typed component: children whose key is not their kebab-case name, as {@code component=key}. */
  String[] renames() default {};

  /**
   * What the key holds when its Java type does not say it, as a {@link ConfigKeys.Shape} name in
   * lower case: {@code strings} for a {@code List<Cidr>} written as words, {@code size} for a byte
   * count, {@code path}. Empty: from the type.
   */
  String as() default "";

  /** A list of two-component records written in YAML as one mapping: the first component is the key, the second its value. */
  boolean mapping() default false;

  /** A component that is no key (derived, or the file itself). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  @interface None {}
}
