import { Stack } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { DomainName, EndpointType, type RestApi, SecurityPolicy } from 'aws-cdk-lib/aws-apigateway';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { type DomainConfig, regionalHostName } from '../config.js';

export interface RegionalDomainProps {
  readonly domain: DomainConfig;
  readonly api: RestApi;
}

/**
 * This Region's side of the one public hostname: an ACM certificate for `<apiHostName>` and
 * `<region>.<apiHostName>` validated by DNS in the hosted zone, a REGIONAL custom domain for each name
 * mapped to the API's stage, and an alias record for the Region's own name.
 *
 * The shared name's records (latency-routed, health-checked) are not here but in the failover DNS stack,
 * where they point at `<region>.<apiHostName>`: that name is deterministic, so no stack needs a value
 * another Region produced. The health checks probe the same per-Region name, through the same custom
 * domain, certificate and mapping that carry real traffic.
 */
export class RegionalDomain extends Construct {
  readonly certificate: Certificate;
  readonly sharedDomain: DomainName;
  readonly regionalDomain: DomainName;
  readonly regionalHostName: string;

  constructor(scope: Construct, id: string, props: RegionalDomainProps) {
    super(scope, id);
    const { domain, api } = props;
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.zoneName,
    });
    this.regionalHostName = regionalHostName(domain, Stack.of(this).region);
    this.certificate = new Certificate(this, 'Certificate', {
      domainName: domain.apiHostName,
      subjectAlternativeNames: [this.regionalHostName],
      validation: CertificateValidation.fromDns(zone),
    });
    const customDomain = (domainId: string, name: string) =>
      new DomainName(this, domainId, {
        domainName: name,
        certificate: this.certificate,
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
        mapping: api,
      });
    this.sharedDomain = customDomain('SharedDomain', domain.apiHostName);
    this.regionalDomain = customDomain('RegionalDomain', this.regionalHostName);
    new ARecord(this, 'RegionalAlias', {
      zone,
      recordName: this.regionalHostName,
      target: RecordTarget.fromAlias(new ApiGatewayDomain(this.regionalDomain)),
      comment: `Marketplace API in ${Stack.of(this).region} only (health checks, drills, debugging)`,
    });
  }
}
