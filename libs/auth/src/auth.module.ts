import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { IngestKeyGuard } from './ingest-key.guard';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { PermissionGuard } from './permission.guard';
import { ViewerSessions } from './viewer-session';

/**
 * Bearer authentication of the query and export apps. Global, so every module of those
 * apps can use JwtAuthGuard and RequirePermission without importing it again.
 */
@Global()
@Module({
  imports: [PassportModule],
  providers: [JwtStrategy, JwtAuthGuard, PermissionGuard, ViewerSessions],
  exports: [JwtAuthGuard, PermissionGuard, ViewerSessions],
})
export class JwtAuthModule {}

@Module({ providers: [IngestKeyGuard], exports: [IngestKeyGuard] })
export class IngestAuthModule {}
