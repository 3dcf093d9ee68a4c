import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { IngestKeyGuard } from './ingest-key.guard';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';

@Module({
  imports: [PassportModule],
  providers: [JwtStrategy, JwtAuthGuard],
  exports: [JwtAuthGuard],
})
export class JwtAuthModule {}

@Module({ providers: [IngestKeyGuard], exports: [IngestKeyGuard] })
export class IngestAuthModule {}
