package dev.appliancesync.identity;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A person who has signed in at least once. Created on the first authenticated call. */
@Entity
@Table(name = "app_user")
public class AppUser {

    @Id
    public UUID id;

    /** The OIDC subject (Cognito {@code sub}): stable for the life of the account. */
    @Column(nullable = false, unique = true, columnDefinition = "text")
    public String subject;

    @Column(columnDefinition = "text")
    public String username;

    /** Lower-case. */
    @Column(columnDefinition = "text")
    public String email;

    @Column(name = "email_verified", nullable = false)
    public boolean emailVerified;

    @Column(name = "cognito_identity_id", columnDefinition = "text")
    public String cognitoIdentityId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "last_seen_at", nullable = false)
    public OffsetDateTime lastSeenAt;
}
