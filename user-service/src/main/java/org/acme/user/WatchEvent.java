package org.acme.user;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One view of one video by one user: the watch history recommend-service learns from. */
@Entity
@Table(name = "watch_events", indexes = @Index(columnList = "userId, watchedAt"))
public class WatchEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue
    public Long id;
    public Long userId;
    public Long videoId;
    public Instant watchedAt;
}
